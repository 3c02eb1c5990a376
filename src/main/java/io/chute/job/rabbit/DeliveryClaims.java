package io.chute.job.rabbit;

import io.chute.job.Job;
import io.chute.job.JobId;
import io.chute.job.JobSql;
import io.chute.job.JobStatus;
import io.chute.job.Jobs;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** How a RabbitMQ delivery becomes a lease: one conditional claim per delivered job id. */
@Repository
public class DeliveryClaims {

    private final JdbcClient jdbc;
    private final Jobs jobs;

    public DeliveryClaims(JdbcClient jdbc, Jobs jobs) {
        this.jdbc = jdbc;
        this.jobs = jobs;
    }

    /**
     * Claims for a broker delivery of {@code delivered}: when the delivered job is runnable now,
     * the fairest runnable job of {@code type} ({@link JobSql#FAIR_ORDER}: priority, then the
     * owner's share and the lane), which is often another one than the delivered job. A delivery
     * is thus a token for one job of its type: the broker paces the work and carries retries and
     * dead letters, the database picks which job runs. When another job is taken, the same
     * statement writes a fresh outbox row for the delivered one (it still waits), because the
     * delivery that carried it is spent; the taken job's own message, still queued, finds it
     * done later and is acknowledged. The type's virtual clock moves up to what was claimed.
     * Empty for duplicates, finished, cancelled or not-yet-due jobs and parents still waiting for
     * children.
     */
    public Optional<Job> claimDelivered(JobId delivered, String type, String worker) {
        return claimDelivered(delivered, type, worker, null);
    }

    /**
     * As {@link #claimDelivered(JobId, String, String)}, passing over owners that already have
     * {@code ownerLimit} jobs of the type PROCESSING (when not null). Empty when every runnable
     * job's owner is at its limit: the caller sends the delivered job round again later.
     */
    public Optional<Job> claimDelivered(JobId delivered, String type, String worker, Integer ownerLimit) {
        return jobs
                .claimWith(jdbc.sql("""
                with delivered as (
                    select j.job_id, j.type, j.priority, j.run_at, j.trace_parent from jobs j
                    where j.job_id = :id and %2$s
                ), fairest as (
                    select j.job_id from jobs j
                    where j.type = :type and %2$s and exists (select 1 from delivered)
                      and (cast(:ownerLimit as int) is null
                           or (select count(*) from jobs p
                               where p.type = j.type and p.owner_id = j.owner_id and p.status = %5$s)
                              < cast(:ownerLimit as int))
                    order by %3$s
                    limit 1
                    for update skip locked
                ), claimed as (
                    update jobs j set %1$s
                    from fairest k
                    where j.job_id = k.job_id
                    returning j.*
                ), requeued as (
                    insert into job_outbox (job_id, type, priority, run_at, trace_parent)
                    select d.job_id, d.type, d.priority, d.run_at, d.trace_parent from delivered d, claimed k
                    where k.job_id <> d.job_id
                ), %4$s
                select * from claimed""".formatted(
                                        JobSql.CLAIM,
                                        JobSql.RUNNABLE,
                                        JobSql.FAIR_ORDER,
                                        JobSql.ADVANCE_CLOCK,
                                        JobSql.literal(JobStatus.PROCESSING)))
                        .param("id", delivered.value())
                        .param("type", type)
                        .param("worker", worker)
                        .param("ownerLimit", ownerLimit, java.sql.Types.INTEGER))
                .stream()
                .findFirst();
    }
}
