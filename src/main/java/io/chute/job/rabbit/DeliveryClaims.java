package io.chute.job.rabbit;

import io.chute.job.Job;
import io.chute.job.JobId;
import io.chute.job.JobSql;
import io.chute.job.JobStatus;
import io.chute.job.Jobs;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** How RabbitMQ deliveries become leases: conditional claims of the delivered job ids, one or a batch at a time. */
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

    /**
     * {@link #claimDelivered(JobId, String, String)} for several deliveries of {@code type} in one
     * statement, as if they were claimed one after another: with n of the delivered jobs runnable,
     * it takes the n fairest runnable jobs of the type, except that a delivered job within one round
     * of the last of those n is taken itself. Each job taken in place of a delivered one is paired
     * with one delivered job left waiting (both in fair order), and that one gets a fresh outbox
     * row in the same statement. With one delivery this is exactly the single claim. Returns what
     * was claimed, keyed by the delivered job whose delivery it was claimed under; a delivered id
     * missing from the result claimed nothing (duplicate, finished, cancelled, not yet due, or no
     * runnable job was free to take in its place).
     */
    public Map<JobId, Job> claimDelivered(Collection<JobId> delivered, String type, String worker) {
        if (delivered.isEmpty()) {
            return Map.of();
        }
        return jobs.claimWith(
                jdbc.sql("""
                with delivered as (
                    select j.job_id, j.type, j.priority, j.fair_rank, j.run_at, j.trace_parent from jobs j
                    where j.job_id = any(:ids) and j.type = :type and %2$s
                ), fairest as (
                    select j.job_id, j.priority, j.fair_rank, j.run_at from jobs j
                    where j.type = :type and %2$s and exists (select 1 from delivered)
                    order by %3$s
                    limit (select count(*) from delivered)
                    for update skip locked
                ), bar as (
                    select f.priority, f.fair_rank from fairest f
                    order by f.priority, f.fair_rank desc, f.run_at desc
                    limit 1
                ), own as (
                    select j.job_id from jobs j, bar b
                    where j.job_id = any(:ids) and j.type = :type and %2$s
                      and (j.priority > b.priority or j.priority = b.priority and j.fair_rank <= b.fair_rank + 1)
                    for update of j skip locked
                ), left_waiting as (
                    select d.*, row_number() over (order by d.priority desc, d.fair_rank, d.run_at) as n
                    from delivered d where d.job_id not in (select job_id from own)
                ), instead as (
                    select f.job_id, row_number() over (order by f.priority desc, f.fair_rank, f.run_at) as n
                    from fairest f
                    where f.job_id not in (select job_id from own) and f.job_id not in (select job_id from delivered)
                ), candidate as (
                    select job_id, job_id as delivered_id from own
                    union all
                    select i.job_id, w.job_id from instead i join left_waiting w on w.n = i.n
                ), claimed as (
                    update jobs j set %1$s
                    from candidate k
                    where j.job_id = k.job_id
                    returning j.*, k.delivered_id
                ), requeued as (
                    insert into job_outbox (job_id, type, priority, run_at, trace_parent)
                    select w.job_id, w.type, w.priority, w.run_at, w.trace_parent
                    from left_waiting w join claimed k on k.delivered_id = w.job_id
                ), %4$s
                select * from claimed""".formatted(JobSql.CLAIM, JobSql.RUNNABLE, JobSql.FAIR_ORDER, JobSql.ADVANCE_CLOCK))
                        .param(
                                "ids",
                                delivered.stream().map(JobId::value).distinct().toArray(UUID[]::new))
                        .param("type", type)
                        .param("worker", worker),
                (rs, n) -> new JobId(rs.getObject("delivered_id", UUID.class)));
    }
}
