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

    /** The owner of {@code j} has room under {@code :ownerLimit} (always, when it is null). */
    private static final String OWNER_ROOM = """
            (cast(:ownerLimit as int) is null
             or (select count(*) from jobs p where p.type = j.type and p.owner_id = j.owner_id and p.status = %s)
                < cast(:ownerLimit as int))""";

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
     * dead letters, the database picks which job runs. The delivered job itself is taken when it
     * is within one round (one job of every owner with a backlog) of the fairest: messages that
     * arrive in their fair order, and consumers claiming at the same moment (each skipping the
     * row another has locked), then take their own jobs instead of swapping them and writing
     * messages for the swapped ones. An owner with a backlog gets at most one job ahead of an
     * owner that just arrived. When another job is taken, the same
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
                    select j.job_id, j.priority, j.fair_rank, j.run_at from jobs j
                    where j.type = :type and %2$s and exists (select 1 from delivered) and %5$s
                    order by %3$s
                    limit 1
                    for update skip locked
                ), own as (
                    select j.job_id from jobs j, fairest f
                    where j.job_id = :id and %2$s and %5$s
                      and (j.priority > f.priority or j.priority = f.priority and j.fair_rank <= f.fair_rank + 1)
                    for update of j skip locked
                ), candidate as (
                    select job_id from own
                    union all
                    select job_id from fairest where not exists (select 1 from own)
                ), claimed as (
                    update jobs j set %1$s
                    from candidate k
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
                                        OWNER_ROOM.formatted(JobSql.literal(JobStatus.PROCESSING))))
                        .param("id", delivered.value())
                        .param("type", type)
                        .param("worker", worker)
                        .param("ownerLimit", ownerLimit, java.sql.Types.INTEGER))
                .stream()
                .findFirst();
    }
}
