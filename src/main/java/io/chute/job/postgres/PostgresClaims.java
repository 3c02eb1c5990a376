package io.chute.job.postgres;

import io.chute.job.Job;
import io.chute.job.JobSql;
import io.chute.job.JobStatus;
import io.chute.job.Jobs;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The PostgreSQL queue's SQL: fair claims with {@code SKIP LOCKED}, the wake-up channel, the next due time. */
@Repository
public class PostgresClaims {

    static final String CHANNEL = "chute_jobs";

    private final JdbcClient jdbc;
    private final Jobs jobs;

    public PostgresClaims(JdbcClient jdbc, Jobs jobs) {
        this.jdbc = jdbc;
        this.jobs = jobs;
    }

    /**
     * Claims up to {@code limit} of the fairest runnable jobs of {@code type} for {@code worker},
     * in one statement: PROCESSING, one more attempt, a fresh heartbeat; the type's virtual clock
     * moves up to what it claimed. {@code SKIP LOCKED} lets many workers claim concurrently; a
     * parent waits until all its children are COMPLETED. The result is in claim order
     * ({@link JobSql#FAIR_ORDER}).
     */
    public List<Job> claim(String type, String worker, int limit) {
        return claim(type, worker, limit, null);
    }

    /**
     * As {@link #claim(String, String, int)}, and with {@code ownerLimit} (when not null) no owner
     * gets more than that many jobs of the type PROCESSING: owners at their limit are passed
     * over, not waited for, and a batch takes no more of one owner's jobs than its remaining
     * room. The room is counted when the statement starts: this node's one fetcher per type
     * claims serially, so the limit is exact on one node; fetchers of several nodes claiming the
     * same owner's jobs at the same instant can each take its last free place.
     */
    public List<Job> claim(String type, String worker, int limit, Integer ownerLimit) {
        if (ownerLimit != null) {
            return claimWithinOwnerLimit(type, worker, limit, ownerLimit);
        }
        return jobs.claimWith(
                jdbc.sql("""
                with picked as (
                    select j.job_id from jobs j
                    where %2$s and j.type = :type
                    order by %3$s
                    limit :limit
                    for update skip locked
                ), claimed as (
                    update jobs j set %1$s
                    from picked p where j.job_id = p.job_id
                    returning j.*
                ), %4$s
                select * from claimed j order by %3$s""".formatted(JobSql.CLAIM, JobSql.RUNNABLE, JobSql.FAIR_ORDER, JobSql.ADVANCE_CLOCK))
                        .param("worker", worker)
                        .param("type", type)
                        .param("limit", limit));
    }

    private List<Job> claimWithinOwnerLimit(String type, String worker, int limit, int ownerLimit) {
        // why: FOR UPDATE cannot sit beside a window function, so the candidates are locked first (a few
        // batches' worth, owners at their limit left out) and the room per owner is counted over them
        return jobs.claimWith(jdbc.sql("""
                with candidates as (
                    select j.job_id, j.owner_id, j.priority, j.fair_rank, j.run_at from jobs j
                    where %2$s and j.type = :type
                      and (select count(*) from jobs p
                           where p.type = j.type and p.owner_id = j.owner_id and p.status = %5$s) < :ownerLimit
                    order by %3$s
                    limit :scan
                    for update skip locked
                ), ranked as (
                    select j.*, row_number() over (partition by j.owner_id order by %3$s) as nth,
                           (select count(*) from jobs p
                            where p.type = :type and p.owner_id = j.owner_id and p.status = %5$s) as running
                    from candidates j
                ), picked as (
                    select j.job_id from ranked j
                    where j.running + j.nth <= :ownerLimit
                    order by %3$s
                    limit :limit
                ), claimed as (
                    update jobs j set %1$s
                    from picked p where j.job_id = p.job_id
                    returning j.*
                ), %4$s
                select * from claimed j order by %3$s""".formatted(
                                JobSql.CLAIM,
                                JobSql.RUNNABLE,
                                JobSql.FAIR_ORDER,
                                JobSql.ADVANCE_CLOCK,
                                JobSql.literal(JobStatus.PROCESSING)))
                .param("worker", worker)
                .param("type", type)
                .param("limit", limit)
                .param("scan", limit * 4)
                .param("ownerLimit", ownerLimit));
    }

    /** Claims the single most urgent runnable job of {@code type}. */
    public Optional<Job> claim(String type, String worker) {
        return claim(type, worker, 1).stream().findFirst();
    }

    /** Wakes the workers of {@code type}; delivered when the current transaction commits. */
    void notifyWorkers(String type) {
        // why: NOTIFY is delivered at commit, so a worker never wakes for a job it cannot see yet
        jdbc.sql("select pg_notify(?, ?)").params(CHANNEL, type).query().singleValue();
    }

    /** When the next waiting job of {@code type} becomes runnable, if any waits. */
    Optional<Instant> nextRunAt(String type) {
        return jdbc.sql("select min(j.run_at) from jobs j where j.type = ? and " + JobSql.WAITING)
                .param(type)
                .query((rs, n) -> Optional.ofNullable(rs.getTimestamp(1)).map(Timestamp::toInstant))
                .single();
    }

    /** Waiting jobs of {@code type}: the depth the worker threads follow. */
    long countWaiting(String type) {
        return jobs.countWaiting(type);
    }
}
