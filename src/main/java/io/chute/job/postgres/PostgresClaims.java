package io.chute.job.postgres;

import io.chute.job.Job;
import io.chute.job.JobSql;
import io.chute.job.Jobs;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The PostgreSQL queue's SQL: claims with {@code SKIP LOCKED}, the wake-up channel, the next due time. */
@Repository
public class PostgresClaims {

    static final String CHANNEL = "chute_jobs";
    private static final Comparator<Job> CLAIM_ORDER =
            Comparator.comparingInt(Job::priority).reversed().thenComparing(Job::runAt);

    private final JdbcClient jdbc;
    private final Jobs jobs;

    public PostgresClaims(JdbcClient jdbc, Jobs jobs) {
        this.jdbc = jdbc;
        this.jobs = jobs;
    }

    /**
     * Claims up to {@code limit} of the most urgent runnable jobs of {@code type} for
     * {@code worker}, in one statement: PROCESSING, one more attempt, a fresh heartbeat.
     * {@code SKIP LOCKED} lets many workers claim concurrently; a parent waits until all its
     * children are COMPLETED. The result is in claim order (priority, then due time).
     */
    public List<Job> claim(String type, String worker, int limit) {
        List<Job> claimed = new ArrayList<>(jobs.claimWith(jdbc.sql("""
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
                .param("limit", limit)));
        claimed.sort(CLAIM_ORDER);
        return claimed;
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
