package io.chute.job;

import io.chute.job.postgres.PostgresClaims;
import io.chute.job.rabbit.DeliveryClaims;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The claims as they were before fair shares (FIFO per type within priority, no virtual clock),
 * so that the benchmarks measure both in the same run.
 */
final class MainClaims {

    private MainClaims() {}

    static PostgresClaims postgres(JdbcClient jdbc, Jobs jobs) {
        return new PostgresClaims(jdbc, jobs) {
            @Override
            public List<Job> claim(String type, String worker, int limit, Integer ownerLimit) {
                return jobs.claimWith(jdbc.sql("""
                        update jobs j set %s
                        where j.job_id in (
                            select j.job_id from jobs j
                            where %s and j.type = :type
                            order by j.priority desc, j.run_at
                            limit :limit
                            for update skip locked)
                        returning *""".formatted(JobSql.CLAIM, JobSql.RUNNABLE))
                        .param("worker", worker)
                        .param("type", type)
                        .param("limit", limit));
            }
        };
    }

    static DeliveryClaims rabbit(JdbcClient jdbc, Jobs jobs) {
        return new DeliveryClaims(jdbc, jobs) {
            /** One claim per delivery, as before claims were batched. */
            @Override
            public java.util.Map<JobId, Job> claimDelivered(
                    java.util.Collection<JobId> delivered, String type, String worker) {
                java.util.Map<JobId, Job> claimed = new java.util.LinkedHashMap<>();
                for (JobId id : delivered) {
                    if (!claimed.containsKey(id)) {
                        claimDelivered(id, type, worker, null).ifPresent(job -> claimed.put(id, job));
                    }
                }
                return claimed;
            }

            @Override
            public Optional<Job> claimDelivered(JobId delivered, String type, String worker, Integer ownerLimit) {
                return jobs
                        .claimWith(jdbc.sql("""
                        with delivered as (
                            select job_id, type, priority, status, run_at, trace_parent from jobs where job_id = :id
                        ), higher as (
                            select j.job_id from jobs j
                            where j.type = :type and %2$s
                              and j.priority > (select priority from delivered)
                            order by j.priority desc, j.run_at
                            limit 1
                            for update skip locked
                        ), own as (
                            select j.job_id from jobs j
                            where j.job_id = :id and not exists (select 1 from higher) and %2$s
                            for update skip locked
                        ), candidate as (
                            select job_id from higher union all select job_id from own
                        ), claimed as (
                            update jobs j set %1$s
                            from candidate k
                            where j.job_id = k.job_id
                            returning j.*
                        ), requeued as (
                            insert into job_outbox (job_id, type, priority, run_at, trace_parent)
                            select j.job_id, j.type, j.priority, j.run_at, j.trace_parent from delivered j, claimed k
                            where k.job_id <> j.job_id and %3$s
                        )
                        select * from claimed""".formatted(JobSql.CLAIM, JobSql.RUNNABLE, JobSql.WAITING))
                                .param("id", delivered.value())
                                .param("type", type)
                                .param("worker", worker))
                        .stream()
                        .findFirst();
            }
        };
    }
}
