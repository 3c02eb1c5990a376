package io.chute.job;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import io.chute.common.InvalidInputException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The jobs table. Every state change is a conditional update on the expected status (and, for
 * a worker, its lease and the version it claimed), so duplicates and late workers lose.
 */
@Repository
public class Jobs {

    static final String CHANNEL = "chute_jobs";
    private static final TypeReference<Map<String, Output>> OUTPUTS = new TypeReference<>() {};
    private static final TypeReference<Map<String, Object>> METADATA = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;

    Jobs(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** What a new job needs; the rest starts at its defaults. */
    public record NewJob(UUID ownerId, UUID uploadId, String type, int priority, String fileName, Long fileSize,
            String detectedType, String objectKey, int maxAttempts) {}

    /** Inserts a PENDING job and, on commit, wakes the workers serving its type. Call inside the caller's transaction. */
    public Job insert(NewJob job) {
        JobId id = JobId.random();
        jdbc.sql("""
                insert into jobs (job_id, owner_id, upload_id, type, status, priority, file_name, file_size,
                                  detected_type, object_key, max_attempts)
                values (?, ?, ?, ?, 'PENDING', ?, ?, ?, ?, ?, ?)""")
                .params(id.value(), job.ownerId(), job.uploadId(), job.type(), job.priority(), job.fileName(),
                        job.fileSize(), job.detectedType(), job.objectKey(), job.maxAttempts())
                .update();
        // why: NOTIFY is delivered at commit, so a worker never wakes for a job it cannot see yet
        jdbc.sql("select pg_notify(?, ?)").params(CHANNEL, job.type()).query().singleValue();
        return find(id).orElseThrow();
    }

    public Optional<Job> find(JobId id) {
        return jdbc.sql("select * from jobs where job_id = ?").param(id.value()).query(this::job).optional();
    }

    /** Waiting (PENDING or RETRYING) jobs of a type: the backpressure measure. */
    public long countWaiting(String type) {
        return jdbc.sql("select count(*) from jobs where type = ? and status in ('PENDING', 'RETRYING')")
                .param(type).query(Long.class).single();
    }

    /** A page of the owner's jobs, newest first. */
    public Page listByOwner(UUID ownerId, JobStatus status, String type, String cursor, int limit) {
        Cursor after = cursor == null || cursor.isBlank() ? null : Cursor.parse(cursor);
        StringBuilder sql = new StringBuilder("select * from jobs where owner_id = :owner");
        if (status != null) {
            sql.append(" and status = :status");
        }
        if (type != null) {
            sql.append(" and type = :type");
        }
        if (after != null) {
            sql.append(" and (created_at, job_id) < (:createdAt, :jobId)");
        }
        sql.append(" order by created_at desc, job_id desc limit :limit");
        var spec = jdbc.sql(sql.toString()).param("owner", ownerId).param("limit", limit + 1);
        if (status != null) {
            spec = spec.param("status", status.name());
        }
        if (type != null) {
            spec = spec.param("type", type);
        }
        if (after != null) {
            spec = spec.param("createdAt", Timestamp.from(after.createdAt())).param("jobId", after.id());
        }
        List<Job> rows = spec.query(this::job).list();
        if (rows.size() <= limit) {
            return new Page(rows, null);
        }
        List<Job> items = rows.subList(0, limit);
        Job last = items.getLast();
        return new Page(List.copyOf(items), new Cursor(last.createdAt(), last.id().value()).encode());
    }

    public record Page(List<Job> items, String nextCursor) {}

    /** Keyset position: the last row's creation time (microseconds) and id. */
    record Cursor(Instant createdAt, UUID id) {
        String encode() {
            long micros = createdAt.getEpochSecond() * 1_000_000 + createdAt.getNano() / 1_000;
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((micros + ":" + id).getBytes(StandardCharsets.US_ASCII));
        }

        static Cursor parse(String text) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.US_ASCII).split(":", 2);
                long micros = Long.parseLong(parts[0]);
                return new Cursor(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1_000L),
                        UUID.fromString(parts[1]));
            } catch (RuntimeException e) {
                throw new InvalidInputException("cursor is not valid");
            }
        }
    }

    /**
     * Claims the most urgent runnable job of the given types for {@code worker}: PROCESSING, one
     * more attempt, a fresh heartbeat. {@code SKIP LOCKED} lets many workers claim concurrently.
     */
    public Optional<Job> claim(Collection<String> types, String worker) {
        return jdbc.sql("""
                update jobs set status = 'PROCESSING', attempts = attempts + 1, lease_owner = :worker,
                       heartbeat_at = now(), started_at = coalesce(started_at, now()), next_retry_at = null,
                       version = version + 1
                where job_id = (
                    select job_id from jobs
                    where status in ('PENDING', 'RETRYING') and run_at <= now() and type = any(:types)
                    order by priority desc, run_at
                    limit 1
                    for update skip locked)
                returning *""")
                .param("worker", worker)
                .param("types", types.toArray(String[]::new))
                .query(this::job)
                .optional();
    }

    /** Marks a claimed job COMPLETED with its outputs; false if the worker lost it meanwhile. */
    public boolean complete(Job claimed, Map<String, Output> outputs, Map<String, Object> metadata) {
        return jdbc.sql("""
                update jobs set status = 'COMPLETED', outputs = cast(:outputs as jsonb), metadata = metadata || cast(:metadata as jsonb),
                       progress = 100, completed_at = now(), error_message = null, lease_owner = null,
                       heartbeat_at = null, version = version + 1
                where job_id = :id and status = 'PROCESSING' and lease_owner = :worker and version = :version""")
                .param("outputs", json.writeValueAsString(outputs))
                .param("metadata", json.writeValueAsString(metadata))
                .param("id", claimed.id().value())
                .param("worker", claimed.leaseOwner())
                .param("version", claimed.version())
                .update() == 1;
    }

    /** A transient failure: RETRYING at {@code runAt}, or FAILED when the attempts are used up. */
    public boolean failAttempt(Job claimed, String error, Instant runAt) {
        boolean last = claimed.attempts() >= claimed.maxAttempts();
        return jdbc.sql("""
                update jobs set status = :status, error_message = :error, run_at = coalesce(:runAt, run_at),
                       next_retry_at = :runAt, failed_at = case when :last then now() end,
                       lease_owner = null, heartbeat_at = null, version = version + 1
                where job_id = :id and status = 'PROCESSING' and lease_owner = :worker and version = :version""")
                .param("status", last ? JobStatus.FAILED.name() : JobStatus.RETRYING.name())
                .param("error", truncate(error))
                .param("runAt", last ? null : Timestamp.from(runAt))
                .param("last", last)
                .param("id", claimed.id().value())
                .param("worker", claimed.leaseOwner())
                .param("version", claimed.version())
                .update() == 1;
    }

    /** The file itself is bad: REJECTED with the reason, no retry. */
    public boolean reject(Job claimed, String reason) {
        return jdbc.sql("""
                update jobs set status = 'REJECTED', error_message = :reason, failed_at = now(),
                       lease_owner = null, heartbeat_at = null, version = version + 1
                where job_id = :id and status = 'PROCESSING' and lease_owner = :worker and version = :version""")
                .param("reason", truncate(reason))
                .param("id", claimed.id().value())
                .param("worker", claimed.leaseOwner())
                .param("version", claimed.version())
                .update() == 1;
    }

    /** Renews the leases of the jobs {@code worker} is running. */
    public int heartbeat(String worker, Collection<UUID> jobIds) {
        if (jobIds.isEmpty()) {
            return 0;
        }
        return jdbc.sql("""
                update jobs set heartbeat_at = now()
                where job_id = any(:ids) and status = 'PROCESSING' and lease_owner = :worker""")
                .param("ids", jobIds.toArray(UUID[]::new))
                .param("worker", worker)
                .update();
    }

    /**
     * Takes back jobs whose worker stopped heart-beating for longer than {@code leaseSeconds}:
     * RETRYING now, or FAILED when that was the last attempt.
     */
    public int recoverExpiredLeases(long leaseSeconds) {
        return jdbc.sql("""
                update jobs set status = case when attempts >= max_attempts then 'FAILED' else 'RETRYING' end,
                       failed_at = case when attempts >= max_attempts then now() end,
                       error_message = 'worker ' || coalesce(lease_owner, '?') || ' stopped renewing its lease',
                       run_at = now(), lease_owner = null, heartbeat_at = null, version = version + 1
                where status = 'PROCESSING' and heartbeat_at < now() - make_interval(secs => :lease)""")
                .param("lease", leaseSeconds)
                .update();
    }

    public void progress(Job claimed, int percent) {
        jdbc.sql("update jobs set progress = ? where job_id = ? and status = 'PROCESSING' and lease_owner = ? and progress < ?")
                .params(Math.clamp(percent, 0, 100), claimed.id().value(), claimed.leaseOwner(), percent)
                .update();
    }

    private static String truncate(String s) {
        if (s == null) {
            return null;
        }
        return s.length() <= 2000 ? s : s.substring(0, 2000);
    }

    private Job job(ResultSet rs, int rowNum) throws SQLException {
        return new Job(
                new JobId(rs.getObject("job_id", UUID.class)),
                rs.getObject("owner_id", UUID.class),
                rs.getObject("upload_id", UUID.class),
                rs.getObject("parent_id", UUID.class),
                rs.getString("type"),
                JobStatus.valueOf(rs.getString("status")),
                rs.getInt("priority"),
                rs.getString("file_name"),
                (Long) rs.getObject("file_size"),
                rs.getString("detected_type"),
                rs.getString("object_key"),
                json.readValue(rs.getString("outputs"), OUTPUTS),
                json.readValue(rs.getString("metadata"), METADATA),
                rs.getInt("progress"),
                rs.getInt("attempts"),
                rs.getInt("max_attempts"),
                instant(rs, "run_at"),
                instant(rs, "next_retry_at"),
                rs.getString("error_message"),
                rs.getString("lease_owner"),
                rs.getLong("version"),
                instant(rs, "created_at"),
                instant(rs, "started_at"),
                instant(rs, "completed_at"),
                instant(rs, "failed_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
