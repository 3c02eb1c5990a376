package io.chute.job.rabbit;

import io.chute.job.Job;
import io.chute.job.JobId;
import io.chute.job.JobSql;
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
     * Claims for a broker delivery of {@code delivered}: the runnable job of {@code type} with a
     * higher priority than the delivered one if any waits (the most urgent of them), otherwise
     * the delivered job itself if it is runnable now. This is how a FIFO broker queue still runs
     * higher priorities first. When another job is taken instead, the same statement writes a
     * fresh outbox row for the delivered one (if it still waits), because the delivery that
     * carried it is spent. Empty for duplicates, finished, cancelled or not-yet-due jobs and
     * parents still waiting for children.
     */
    public Optional<Job> claimDelivered(JobId delivered, String type, String worker) {
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
}
