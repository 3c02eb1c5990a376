package io.chute.job;

import io.chute.common.AfterCommit;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import io.chute.common.InvalidInputException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
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
    private final Iterable<JobChanges> observers;

    @Autowired
    Jobs(JdbcClient jdbc, JsonMapper json, ObjectProvider<JobChanges> observers) {
        this(jdbc, json, (Iterable<JobChanges>) observers);
    }

    public Jobs(JdbcClient jdbc, JsonMapper json, Iterable<JobChanges> observers) {
        this.jdbc = jdbc;
        this.json = json;
        this.observers = observers;
    }

    /** Tells the observers about {@code ids}, after the current transaction commits if there is one. */
    private void changed(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return;
        }
        List<UUID> copy = List.copyOf(ids);
        AfterCommit.run(() -> observers.forEach(o -> o.changed(copy)));
    }

    private List<Job> changedJobs(List<Job> jobs) {
        changed(jobs.stream().map(j -> j.id().value()).toList());
        return jobs;
    }

    private Optional<Job> changedJob(Optional<Job> job) {
        job.ifPresent(j -> changed(List.of(j.id().value())));
        return job;
    }

    private boolean changedIf(boolean updated, Job job) {
        if (updated) {
            changed(List.of(job.id().value()));
        }
        return updated;
    }

    /** What a new job needs; the rest starts at its defaults. */
    public record NewJob(UUID ownerId, UUID uploadId, String type, int priority, String fileName, Long fileSize,
            String detectedType, String objectKey, int maxAttempts, UUID parentId, Instant runAt,
            Map<String, Object> metadata) {

        /** A job for an uploaded file, runnable now. */
        public static NewJob forUpload(UUID ownerId, UUID uploadId, String type, String fileName, long fileSize,
                String detectedType, String objectKey, int maxAttempts) {
            return new NewJob(ownerId, uploadId, type, 0, fileName, fileSize, detectedType, objectKey, maxAttempts,
                    null, null, Map.of());
        }

        public NewJob withPriority(int newPriority) {
            return new NewJob(ownerId, uploadId, type, newPriority, fileName, fileSize, detectedType, objectKey,
                    maxAttempts, parentId, runAt, metadata);
        }

        public NewJob withParent(JobId parent) {
            return new NewJob(ownerId, uploadId, type, priority, fileName, fileSize, detectedType, objectKey,
                    maxAttempts, parent.value(), runAt, metadata);
        }

        public NewJob withMetadata(Map<String, Object> newMetadata) {
            return new NewJob(ownerId, uploadId, type, priority, fileName, fileSize, detectedType, objectKey,
                    maxAttempts, parentId, runAt, newMetadata);
        }

        public NewJob runAt(Instant when) {
            return new NewJob(ownerId, uploadId, type, priority, fileName, fileSize, detectedType, objectKey,
                    maxAttempts, parentId, when, metadata);
        }
    }

    /** Inserts a PENDING job. Call inside the caller's transaction, then hand it to {@link JobQueue#submitted}. */
    public Job insert(NewJob job) {
        JobId id = JobId.random();
        jdbc.sql("""
                insert into jobs (job_id, owner_id, upload_id, type, status, priority, file_name, file_size,
                                  detected_type, object_key, max_attempts, parent_id, run_at, metadata)
                values (?, ?, ?, ?, 'PENDING', ?, ?, ?, ?, ?, ?, ?, coalesce(?, now()), cast(? as jsonb))""")
                .params(id.value(), job.ownerId(), job.uploadId(), job.type(), job.priority(), job.fileName(),
                        job.fileSize(), job.detectedType(), job.objectKey(), job.maxAttempts(), job.parentId(),
                        job.runAt() == null ? null : Timestamp.from(job.runAt()),
                        json.writeValueAsString(job.metadata() == null ? Map.of() : job.metadata()))
                .update();
        if (job.parentId() != null) {
            dependOn(new JobId(job.parentId()), List.of(id));
        }
        changed(List.of(id.value()));
        return find(id).orElseThrow();
    }

    /** Makes {@code job} wait until every one of {@code dependencies} is COMPLETED. */
    public void dependOn(JobId job, Collection<JobId> dependencies) {
        for (JobId dependency : dependencies) {
            jdbc.sql("insert into job_dependencies (job_id, depends_on) values (?, ?) on conflict do nothing")
                    .params(job.value(), dependency.value()).update();
        }
    }

    /** Wakes the PostgreSQL-queue workers of {@code type}; delivered when the current transaction commits. */
    void notifyWorkers(String type) {
        // why: NOTIFY is delivered at commit, so a worker never wakes for a job it cannot see yet
        jdbc.sql("select pg_notify(?, ?)").params(CHANNEL, type).query().singleValue();
    }

    public Optional<Job> find(JobId id) {
        return jdbc.sql("select * from jobs where job_id = ?").param(id.value()).query(this::job).optional();
    }

    /** When the next waiting job of {@code type} becomes runnable, if any waits. */
    public Optional<Instant> nextRunAt(String type) {
        return jdbc.sql("select min(run_at) from jobs where type = ? and status in ('PENDING', 'RETRYING')")
                .param(type).query((rs, n) -> Optional.ofNullable(rs.getTimestamp(1)).map(Timestamp::toInstant))
                .single();
    }

    /** Serialises job submissions of one type until the current transaction ends. */
    void lockSubmissions(String type) {
        jdbc.sql("select pg_advisory_xact_lock(hashtext('chute.jobs.submit.' || ?))").param(type).query().singleValue();
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
        return page(spec.query(this::job).list(), limit);
    }

    private static Page page(List<Job> rows, int limit) {
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
        /** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z, the years an ISO-8601 timestamp of four digits spans. */
        private static final long MIN_CURSOR_MICROS = -62_135_596_800_000_000L;
        private static final long MAX_CURSOR_MICROS = 253_402_300_799_999_999L;

        String encode() {
            long micros = createdAt.getEpochSecond() * 1_000_000 + createdAt.getNano() / 1_000;
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((micros + ":" + id).getBytes(StandardCharsets.US_ASCII));
        }

        static Cursor parse(String text) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.US_ASCII).split(":", 2);
                long micros = Long.parseLong(parts[0]);
                // why: PostgreSQL's timestamptz ends in the year 294276; a forged cursor must be a 400, not a SQL error
                if (micros < MIN_CURSOR_MICROS || micros > MAX_CURSOR_MICROS) {
                    throw new InvalidInputException("cursor is not valid");
                }
                return new Cursor(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1_000L),
                        UUID.fromString(parts[1]));
            } catch (RuntimeException e) {
                throw new InvalidInputException("cursor is not valid");
            }
        }
    }

    /**
     * Claims up to {@code limit} of the most urgent runnable jobs of {@code type} for
     * {@code worker}, in one statement: PROCESSING, one more attempt, a fresh heartbeat.
     * {@code SKIP LOCKED} lets many workers claim concurrently; a parent waits until all its
     * children are COMPLETED. The result is in claim order (priority, then due time).
     */
    public List<Job> claim(String type, String worker, int limit) {
        List<Job> claimed = new ArrayList<>(jdbc.sql("""
                update jobs set status = 'PROCESSING', attempts = attempts + 1, lease_owner = :worker,
                       heartbeat_at = now(), started_at = coalesce(started_at, now()), next_retry_at = null,
                       version = version + 1
                where job_id in (
                    select j.job_id from jobs j
                    where j.status in ('PENDING', 'RETRYING') and j.run_at <= now() and j.type = :type
                      and not exists (select 1 from job_dependencies d join jobs c on c.job_id = d.depends_on
                                      where d.job_id = j.job_id and c.status <> 'COMPLETED')
                    order by j.priority desc, j.run_at
                    limit :limit
                    for update skip locked)
                returning *""")
                .param("worker", worker)
                .param("type", type)
                .param("limit", limit)
                .query(this::job)
                .list());
        claimed.sort(CLAIM_ORDER);
        return changedJobs(claimed);
    }

    private static final java.util.Comparator<Job> CLAIM_ORDER =
            java.util.Comparator.comparingInt(Job::priority).reversed().thenComparing(Job::runAt);

    /** Claims the single most urgent runnable job of {@code type}. */
    public Optional<Job> claim(String type, String worker) {
        return claim(type, worker, 1).stream().findFirst();
    }

    /**
     * Claims one given job if it is runnable now: how a broker delivery becomes a lease. A
     * duplicate or stale delivery finds it in another state and gets nothing.
     */
    public Optional<Job> claim(JobId id, String worker) {
        return changedJob(jdbc.sql("""
                update jobs j set status = 'PROCESSING', attempts = attempts + 1, lease_owner = :worker,
                       heartbeat_at = now(), started_at = coalesce(started_at, now()), next_retry_at = null,
                       version = version + 1
                where j.job_id = :id and j.status in ('PENDING', 'RETRYING') and j.run_at <= now()
                  and not exists (select 1 from job_dependencies d join jobs c on c.job_id = d.depends_on
                                  where d.job_id = j.job_id and c.status <> 'COMPLETED')
                returning *""")
                .param("worker", worker)
                .param("id", id.value())
                .query(this::job)
                .optional());
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
        return changedJob(jdbc.sql("""
                with delivered as (
                    select job_id, type, priority, status, run_at from jobs where job_id = :id
                ), higher as (
                    select j.job_id from jobs j
                    where j.type = :type and j.status in ('PENDING', 'RETRYING') and j.run_at <= now()
                      and j.priority > (select priority from delivered)
                      and not exists (select 1 from job_dependencies d join jobs c on c.job_id = d.depends_on
                                      where d.job_id = j.job_id and c.status <> 'COMPLETED')
                    order by j.priority desc, j.run_at
                    limit 1
                    for update skip locked
                ), own as (
                    select j.job_id from jobs j
                    where j.job_id = :id and not exists (select 1 from higher)
                      and j.status in ('PENDING', 'RETRYING') and j.run_at <= now()
                      and not exists (select 1 from job_dependencies d join jobs c on c.job_id = d.depends_on
                                      where d.job_id = j.job_id and c.status <> 'COMPLETED')
                    for update skip locked
                ), candidate as (
                    select job_id from higher union all select job_id from own
                ), claimed as (
                    update jobs j set status = 'PROCESSING', attempts = attempts + 1, lease_owner = :worker,
                           heartbeat_at = now(), started_at = coalesce(started_at, now()), next_retry_at = null,
                           version = version + 1
                    from candidate c
                    where j.job_id = c.job_id
                    returning j.*
                ), requeued as (
                    insert into job_outbox (job_id, type, priority, run_at)
                    select d.job_id, d.type, d.priority, d.run_at from delivered d, claimed c
                    where c.job_id <> d.job_id and d.status in ('PENDING', 'RETRYING')
                )
                select * from claimed""")
                .param("id", delivered.value())
                .param("type", type)
                .param("worker", worker)
                .query(this::job)
                .optional());
    }

    /** Marks a claimed job COMPLETED with its outputs; false if the worker lost it meanwhile. */
    public boolean complete(Job claimed, Map<String, Output> outputs, Map<String, Object> metadata) {
        return completeAll(List.of(new Completion(claimed, outputs, metadata))).contains(claimed.id().value());
    }

    /** A finished job and what it produced, for {@link #completeAll}. */
    public record Completion(Job claimed, Map<String, Output> outputs, Map<String, Object> metadata) {}

    /**
     * Marks many claimed jobs COMPLETED in one statement (one commit for the lot), each
     * conditional on its own status, lease and version. Returns the ids that were completed;
     * the others were lost meanwhile (cancelled, taken back).
     */
    public Set<UUID> completeAll(List<Completion> completions) {
        if (completions.isEmpty()) {
            return Set.of();
        }
        int n = completions.size();
        UUID[] ids = new UUID[n];
        String[] workers = new String[n];
        Long[] versions = new Long[n];
        String[] outputs = new String[n];
        String[] metadata = new String[n];
        for (int i = 0; i < n; i++) {
            Completion c = completions.get(i);
            ids[i] = c.claimed().id().value();
            workers[i] = c.claimed().leaseOwner();
            versions[i] = c.claimed().version();
            outputs[i] = json.writeValueAsString(c.outputs());
            metadata[i] = json.writeValueAsString(c.metadata());
        }
        Set<UUID> completed = Set.copyOf(jdbc.sql("""
                update jobs j set status = 'COMPLETED', outputs = cast(d.outputs as jsonb),
                       metadata = j.metadata || cast(d.metadata as jsonb), progress = 100, completed_at = now(),
                       error_message = null, lease_owner = null, heartbeat_at = null, version = j.version + 1
                from unnest(cast(:ids as uuid[]), cast(:workers as text[]), cast(:versions as bigint[]),
                            cast(:outputs as text[]), cast(:metadata as text[]))
                     as d(job_id, worker, version, outputs, metadata)
                where j.job_id = d.job_id and j.status = 'PROCESSING' and j.lease_owner = d.worker
                  and j.version = d.version
                returning j.job_id""")
                .param("ids", ids)
                .param("workers", workers)
                .param("versions", versions)
                .param("outputs", outputs)
                .param("metadata", metadata)
                .query(UUID.class)
                .list());
        changed(completed);
        return completed;
    }

    /** A transient failure: RETRYING at {@code runAt}, or FAILED when the attempts are used up. */
    public boolean failAttempt(Job claimed, String error, Instant runAt) {
        boolean last = claimed.attempts() >= claimed.maxAttempts();
        return changedIf(jdbc.sql("""
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
                .update() == 1, claimed);
    }

    /** Gives a running job back unfinished (shutdown): RETRYING now, and the attempt does not count. */
    public boolean release(Job claimed) {
        return changedIf(jdbc.sql("""
                update jobs set status = 'RETRYING', attempts = greatest(attempts - 1, 0), run_at = now(),
                       lease_owner = null, heartbeat_at = null, version = version + 1
                where job_id = ? and status = 'PROCESSING' and lease_owner = ? and version = ?""")
                .params(claimed.id().value(), claimed.leaseOwner(), claimed.version())
                .update() == 1, claimed);
    }

    /** The file itself is bad: REJECTED with the reason, no retry. */
    public boolean reject(Job claimed, String reason) {
        return changedIf(jdbc.sql("""
                update jobs set status = 'REJECTED', error_message = :reason, failed_at = now(),
                       lease_owner = null, heartbeat_at = null, version = version + 1
                where job_id = :id and status = 'PROCESSING' and lease_owner = :worker and version = :version""")
                .param("reason", truncate(reason))
                .param("id", claimed.id().value())
                .param("worker", claimed.leaseOwner())
                .param("version", claimed.version())
                .update() == 1, claimed);
    }

    /** Renews the leases of the jobs {@code worker} is running; returns those it still holds. */
    public Set<UUID> heartbeat(String worker, Collection<UUID> jobIds) {
        if (jobIds.isEmpty()) {
            return Set.of();
        }
        return Set.copyOf(jdbc.sql("""
                update jobs set heartbeat_at = now()
                where job_id = any(:ids) and status = 'PROCESSING' and lease_owner = :worker
                returning job_id""")
                .param("ids", jobIds.toArray(UUID[]::new))
                .param("worker", worker)
                .query(UUID.class)
                .list());
    }

    /**
     * Takes back jobs whose worker stopped heart-beating for longer than {@code leaseSeconds}:
     * RETRYING now, or FAILED when that was the last attempt. Returns the jobs taken back.
     */
    public List<Job> recoverExpiredLeases(long leaseSeconds) {
        return changedJobs(jdbc.sql("""
                update jobs set status = case when attempts >= max_attempts then 'FAILED' else 'RETRYING' end,
                       failed_at = case when attempts >= max_attempts then now() end,
                       error_message = 'worker ' || coalesce(lease_owner, '?') || ' stopped renewing its lease',
                       run_at = now(), lease_owner = null, heartbeat_at = null, version = version + 1
                where job_id in (select job_id from jobs
                                 where status = 'PROCESSING' and heartbeat_at < now() - make_interval(secs => :lease)
                                 for update skip locked)
                returning *""")
                .param("lease", leaseSeconds)
                .query(this::job)
                .list());
    }

    /** Cancels a job that has not finished; empty if it was not in a cancellable state. */
    public Optional<Job> cancel(JobId id) {
        return changedJob(jdbc.sql("""
                update jobs set status = 'CANCELLED', lease_owner = null, heartbeat_at = null,
                       error_message = 'cancelled', version = version + 1
                where job_id = ? and status in ('PENDING', 'RETRYING', 'PROCESSING')
                returning *""")
                .param(id.value())
                .query(this::job)
                .optional());
    }

    /** Puts a FAILED or CANCELLED job back to PENDING with a fresh set of attempts; empty otherwise. */
    public Optional<Job> retry(JobId id) {
        return changedJob(jdbc.sql("""
                update jobs set status = 'PENDING', attempts = 0, run_at = now(), next_retry_at = null,
                       failed_at = null, error_message = null, progress = 0, version = version + 1
                where job_id = ? and status in ('FAILED', 'CANCELLED')
                returning *""")
                .param(id.value())
                .query(this::job)
                .optional());
    }

    /** The jobs {@code job} waits for (a parent's children, a zip's inputs). */
    public List<Job> dependencies(JobId job) {
        return jdbc.sql("""
                select j.* from job_dependencies d join jobs j on j.job_id = d.depends_on
                where d.job_id = ? order by j.created_at, j.job_id""")
                .param(job.value()).query(this::job).list();
    }

    /** The jobs still waiting (PENDING or RETRYING) on any of {@code dependencies} whose every dependency is now COMPLETED: one query for a whole batch of completions. */
    public List<Job> releasedByAny(Collection<UUID> dependencies) {
        if (dependencies.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("""
                select j.* from jobs j
                where j.job_id in (select d.job_id from job_dependencies d where d.depends_on = any(?))
                  and j.status in ('PENDING', 'RETRYING')
                  and not exists (select 1 from job_dependencies o join jobs c on c.job_id = o.depends_on
                                  where o.job_id = j.job_id and c.status <> 'COMPLETED')""")
                .param(dependencies.toArray(UUID[]::new)).query(this::job).list();
    }

    /** Jobs waiting on {@code dependency}, which can no longer complete, fail with {@code reason}. */
    public List<Job> failDependents(JobId dependency, String reason) {
        return changedJobs(jdbc.sql("""
                update jobs set status = 'FAILED', failed_at = now(), error_message = ?, version = version + 1
                where job_id in (select job_id from job_dependencies where depends_on = ?)
                  and status in ('PENDING', 'RETRYING')
                returning *""")
                .params(truncate(reason), dependency.value())
                .query(this::job)
                .list());
    }

    /** Jobs in one status, newest first, for the admin's dead-letter view. */
    public Page listByStatus(JobStatus status, String cursor, int limit) {
        Cursor after = cursor == null || cursor.isBlank() ? null : Cursor.parse(cursor);
        var spec = jdbc.sql("""
                select * from jobs where status = :status
                  and (cast(:createdAt as timestamptz) is null or (created_at, job_id) < (:createdAt, :jobId))
                order by created_at desc, job_id desc limit :limit""")
                .param("status", status.name())
                .param("createdAt", after == null ? null : Timestamp.from(after.createdAt()))
                .param("jobId", after == null ? null : after.id())
                .param("limit", limit + 1);
        return page(spec.query(this::job).list(), limit);
    }

    /** Per type: how many jobs wait, run, retry, failed, and completed in the last hour. */
    public List<QueueStats> queueStats() {
        return jdbc.sql("""
                select type,
                       count(*) filter (where status = 'PENDING') as pending,
                       count(*) filter (where status = 'PROCESSING') as processing,
                       count(*) filter (where status = 'RETRYING') as retrying,
                       count(*) filter (where status = 'FAILED') as failed,
                       count(*) filter (where status = 'COMPLETED' and completed_at > now() - interval '1 hour') as completed_last_hour
                from jobs group by type order by type""")
                .query((rs, n) -> new QueueStats(rs.getString("type"), rs.getLong("pending"), rs.getLong("processing"),
                        rs.getLong("retrying"), rs.getLong("failed"), rs.getLong("completed_last_hour")))
                .list();
    }

    public record QueueStats(String type, long pending, long processing, long retrying, long failed, long completedLastHour) {}

    public void progress(Job claimed, int percent) {
        changedIf(jdbc.sql("update jobs set progress = ? where job_id = ? and status = 'PROCESSING' and lease_owner = ? and progress < ?")
                .params(Math.clamp(percent, 0, 100), claimed.id().value(), claimed.leaseOwner(), percent)
                .update() == 1, claimed);
    }

    /** The jobs with these ids that exist, in no particular order. */
    public List<Job> findAll(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("select * from jobs where job_id = any(?)").param(ids.toArray(UUID[]::new)).query(this::job).list();
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
