package io.chute.job.rabbit;

import io.chute.job.Job;
import io.chute.job.JobId;
import io.chute.job.JobSql;
import java.sql.Timestamp;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code job_outbox} table: job ids the RabbitMQ queue still has to publish. Rows are
 * written in the caller's transaction, so a job and its message exist together or not at all,
 * whether or not the broker is reachable; the {@link OutboxRelay} publishes and deletes them.
 */
@Repository
public class JobOutbox {

    /**
     * One message to publish; {@code delayMillis} is measured on the database's clock,
     * {@code traceParent} is the job's trace (null outside one).
     */
    record Entry(long id, UUID jobId, String type, int priority, long delayMillis, boolean dead, String traceParent) {}

    private final JdbcClient jdbc;

    public JobOutbox(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A message for a job that has just become runnable (or will be, at its {@code runAt}). */
    void add(Job job) {
        jdbc.sql("insert into job_outbox (job_id, type, priority, run_at, trace_parent) values (?, ?, ?, ?, ?)")
                .params(job.id().value(), job.type(), job.priority(), Timestamp.from(job.runAt()), job.traceParent())
                .update();
    }

    /** A copy of a FAILED job's id for the dead-letter queue. */
    void addDead(Job job) {
        jdbc.sql("insert into job_outbox (job_id, type, priority, dead, trace_parent) values (?, ?, ?, true, ?)")
                .params(job.id().value(), job.type(), job.priority(), job.traceParent())
                .update();
    }

    /** A message for {@code id} if it waits (PENDING or RETRYING), due now or later; false if it does not. */
    boolean addIfWaiting(JobId id) {
        return jdbc.sql("""
                insert into job_outbox (job_id, type, priority, run_at, trace_parent)
                select j.job_id, j.type, j.priority, j.run_at, j.trace_parent from jobs j where j.job_id = ? and %s""".formatted(JobSql.WAITING)).param(id.value()).update() == 1;
    }

    /** A message for {@code id} if it waits and is not due yet: it goes back through a delay queue. */
    boolean addIfNotYetDue(JobId id) {
        return jdbc.sql("""
                insert into job_outbox (job_id, type, priority, run_at, trace_parent)
                select j.job_id, j.type, j.priority, j.run_at, j.trace_parent from jobs j
                where j.job_id = ? and j.run_at > now() and %s""".formatted(JobSql.WAITING)).param(id.value()).update() == 1;
    }

    /**
     * A message for {@code id}, through a delay queue of about {@code delay}, if it is runnable now
     * (waiting, due, every job it depends on COMPLETED): a job passed over by a claim.
     */
    boolean addIfRunnableLater(JobId id, java.time.Duration delay) {
        return jdbc.sql("""
                insert into job_outbox (job_id, type, priority, run_at, trace_parent)
                select j.job_id, j.type, j.priority, now() + make_interval(secs => ?), j.trace_parent from jobs j
                where j.job_id = ? and %s""".formatted(JobSql.RUNNABLE))
                        .params(delay.toMillis() / 1000.0, id.value())
                        .update()
                == 1;
    }

    /**
     * Messages for runnable jobs of {@code type} overdue by more than {@code graceSeconds} that
     * have no row here: the safety net for messages lost outside Chute (a purged queue, a
     * broker-side delivery limit). Call only when the type's work queue is empty, or it would
     * duplicate messages that are merely queued. Returns how many it wrote, at most 1,000.
     */
    int addOrphans(String type, long graceSeconds) {
        return jdbc.sql("""
                insert into job_outbox (job_id, type, priority, run_at, trace_parent)
                select j.job_id, j.type, j.priority, j.run_at, j.trace_parent from jobs j
                where j.type = :type and %s
                  and j.run_at < now() - make_interval(secs => :grace)
                  and not exists (select 1 from job_outbox o where o.job_id = j.job_id)
                order by j.priority desc, j.run_at
                limit 1000""".formatted(JobSql.READY))
                .param("type", type)
                .param("grace", graceSeconds)
                .update();
    }

    /**
     * Locks up to {@code limit} of the oldest rows no other relay holds, leaving out the types in
     * {@code skipped}. Call inside a transaction, and delete what was published before it commits.
     */
    List<Entry> lockBatch(int limit, Set<String> skipped) {
        return jdbc.sql("""
                select id, job_id, type, priority, dead, trace_parent,
                       greatest(0, ceil(extract(epoch from (run_at - now())) * 1000))::bigint as delay_millis
                from job_outbox where type <> all(?) order by id limit ? for update skip locked""")
                .param(skipped.toArray(String[]::new))
                .param(limit)
                .query((rs, n) -> new Entry(
                        rs.getLong("id"),
                        rs.getObject("job_id", UUID.class),
                        rs.getString("type"),
                        rs.getInt("priority"),
                        rs.getLong("delay_millis"),
                        rs.getBoolean("dead"),
                        rs.getString("trace_parent")))
                .list();
    }

    void delete(List<Entry> published) {
        jdbc.sql("delete from job_outbox where id = any(?)")
                .param(published.stream().map(Entry::id).toArray(Long[]::new))
                .update();
    }

    /** Age in seconds of the oldest row waiting to be published, 0 when none: how late the relays are. */
    public double oldestAgeSeconds() {
        return jdbc.sql("""
                select coalesce(extract(epoch from now() - (select created_at from job_outbox order by id limit 1)), 0)""").query(Double.class).single();
    }

    /** Rows waiting to be published: how far behind the relays are. */
    public long backlog() {
        return jdbc.sql("select count(*) from job_outbox").query(Long.class).single();
    }
}
