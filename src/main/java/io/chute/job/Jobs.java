package io.chute.job;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionOperations;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The jobs table. Every state change is a conditional update on the expected status (and, for
 * a worker, its lease and the version it claimed), so duplicates and late workers lose; the
 * expected statuses come from {@link JobStatus}'s table through {@link JobSql}. Claims are the
 * queue adapters' SQL ({@code PostgresClaims}, {@code DeliveryClaims}), run through
 * {@link #claimWith}; pages of jobs are {@link JobPages}.
 */
@Repository
public class Jobs {

    private static final TypeReference<Map<String, Output>> OUTPUTS = new TypeReference<>() {};
    private static final TypeReference<Map<String, Object>> METADATA = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Iterable<JobChanges> observers;
    private final JobTracing tracing;
    private final TransactionOperations tx;

    @Autowired
    Jobs(
            JdbcClient jdbc,
            JsonMapper json,
            ObjectProvider<JobChanges> observers,
            ObjectProvider<JobTracing> tracing,
            TransactionOperations tx) {
        this(jdbc, json, (Iterable<JobChanges>) observers, tracing.getIfAvailable(JobTracing::none), tx);
    }

    /** Without observers' own writes to join, changes need no transaction of their own. */
    public Jobs(JdbcClient jdbc, JsonMapper json, Iterable<JobChanges> observers) {
        this(jdbc, json, observers, JobTracing.none(), TransactionOperations.withoutTransaction());
    }

    public Jobs(JdbcClient jdbc, JsonMapper json, Iterable<JobChanges> observers, TransactionOperations tx) {
        this(jdbc, json, observers, JobTracing.none(), tx);
    }

    public Jobs(JdbcClient jdbc, JsonMapper json, Iterable<JobChanges> observers, JobTracing tracing) {
        this(jdbc, json, observers, tracing, TransactionOperations.withoutTransaction());
    }

    public Jobs(
            JdbcClient jdbc,
            JsonMapper json,
            Iterable<JobChanges> observers,
            JobTracing tracing,
            TransactionOperations tx) {
        this.jdbc = jdbc;
        this.json = json;
        this.observers = observers;
        this.tracing = tracing;
        this.tx = tx;
    }

    /**
     * Runs a change and tells the observers in its transaction (the caller's, or one of its own),
     * so what they write (the replay log's {@code job.updated}) commits or rolls back with it.
     */
    private <T> T changing(java.util.function.Supplier<T> change) {
        return tx.execute(status -> change.get());
    }

    /** Tells the observers about {@code ids}; called inside the change's transaction. */
    private void changed(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return;
        }
        List<UUID> copy = List.copyOf(ids);
        observers.forEach(o -> o.changed(copy));
    }

    /** Tells the observers about {@code rows}, as the change left them; called inside the change's transaction. */
    private void changedRows(List<Job> rows) {
        List<Job> copy = List.copyOf(rows);
        observers.forEach(o -> o.changedRows(copy));
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

    /** Maps a row of the jobs table. */
    RowMapper<Job> rows() {
        return this::job;
    }

    /**
     * Runs a claim a queue adapter wrote: a statement that moves runnable jobs to PROCESSING
     * (assignments {@link JobSql#CLAIM}, condition {@link JobSql#RUNNABLE}) and returns their
     * rows. The observers are told about what it claimed.
     */
    public List<Job> claimWith(JdbcClient.StatementSpec claim) {
        return changing(() -> changedJobs(claim.query(this::job).list()));
    }

    /**
     * As {@link #claimWith(JdbcClient.StatementSpec)}, for a claim that returns with each row what
     * it was claimed for ({@code key} reads it from the row): the claimed jobs by key, in row order.
     */
    public <K> Map<K, Job> claimWith(JdbcClient.StatementSpec claim, RowMapper<K> key) {
        return changing(() -> {
            Map<K, Job> claimed = new java.util.LinkedHashMap<>();
            claim.query((rs, n) -> {
                        claimed.put(key.mapRow(rs, n), job(rs, n));
                        return null;
                    })
                    .list();
            changedJobs(List.copyOf(claimed.values()));
            return claimed;
        });
    }

    /** What a new job needs; the rest starts at its defaults. */
    public record NewJob(
            UUID ownerId,
            UUID uploadId,
            String type,
            int priority,
            String fileName,
            Long fileSize,
            String detectedType,
            String objectKey,
            int maxAttempts,
            UUID parentId,
            Instant runAt,
            Map<String, Object> metadata,
            JobLane lane) {

        public NewJob {
            lane = lane == null ? JobLane.INTERACTIVE : lane;
        }

        /** An interactive job. */
        public NewJob(
                UUID ownerId,
                UUID uploadId,
                String type,
                int priority,
                String fileName,
                Long fileSize,
                String detectedType,
                String objectKey,
                int maxAttempts,
                UUID parentId,
                Instant runAt,
                Map<String, Object> metadata) {
            this(
                    ownerId,
                    uploadId,
                    type,
                    priority,
                    fileName,
                    fileSize,
                    detectedType,
                    objectKey,
                    maxAttempts,
                    parentId,
                    runAt,
                    metadata,
                    JobLane.INTERACTIVE);
        }

        /** A job for an uploaded file, runnable now. */
        public static NewJob forUpload(
                UUID ownerId,
                UUID uploadId,
                String type,
                String fileName,
                long fileSize,
                String detectedType,
                String objectKey,
                int maxAttempts) {
            return new NewJob(
                    ownerId,
                    uploadId,
                    type,
                    0,
                    fileName,
                    fileSize,
                    detectedType,
                    objectKey,
                    maxAttempts,
                    null,
                    null,
                    Map.of());
        }

        public NewJob withPriority(int newPriority) {
            return new NewJob(
                    ownerId,
                    uploadId,
                    type,
                    newPriority,
                    fileName,
                    fileSize,
                    detectedType,
                    objectKey,
                    maxAttempts,
                    parentId,
                    runAt,
                    metadata,
                    lane);
        }

        public NewJob withParent(JobId parent) {
            return new NewJob(
                    ownerId,
                    uploadId,
                    type,
                    priority,
                    fileName,
                    fileSize,
                    detectedType,
                    objectKey,
                    maxAttempts,
                    parent.value(),
                    runAt,
                    metadata,
                    lane);
        }

        public NewJob withMetadata(Map<String, Object> newMetadata) {
            return new NewJob(
                    ownerId,
                    uploadId,
                    type,
                    priority,
                    fileName,
                    fileSize,
                    detectedType,
                    objectKey,
                    maxAttempts,
                    parentId,
                    runAt,
                    newMetadata,
                    lane);
        }

        public NewJob runAt(Instant when) {
            return new NewJob(
                    ownerId,
                    uploadId,
                    type,
                    priority,
                    fileName,
                    fileSize,
                    detectedType,
                    objectKey,
                    maxAttempts,
                    parentId,
                    when,
                    metadata,
                    lane);
        }

        public NewJob inLane(JobLane newLane) {
            return new NewJob(
                    ownerId,
                    uploadId,
                    type,
                    priority,
                    fileName,
                    fileSize,
                    detectedType,
                    objectKey,
                    maxAttempts,
                    parentId,
                    runAt,
                    metadata,
                    newLane);
        }
    }

    /**
     * Inserts a PENDING job with its fair rank in its lane (the owner's share of the type, see
     * {@link JobLane}). Call inside the caller's transaction, then hand it to
     * {@link JobQueue#submitted}.
     */
    public Job insert(NewJob job) {
        JobId id = JobId.random();
        // why: returning the row, which the observers need too, saves reading it back twice
        Job inserted = jdbc.sql("""
                insert into jobs (job_id, owner_id, upload_id, type, status, priority, file_name, file_size,
                                  detected_type, object_key, max_attempts, parent_id, run_at, metadata, trace_parent,
                                  lane, fair_rank)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, now()), cast(? as jsonb), ?,
                        ?, job_fair_start(?, ?, ?) + ?)
                returning *""")
                .params(
                        id.value(),
                        job.ownerId(),
                        job.uploadId(),
                        job.type(),
                        JobStatus.PENDING.name(),
                        job.priority(),
                        job.fileName(),
                        job.fileSize(),
                        job.detectedType(),
                        job.objectKey(),
                        job.maxAttempts(),
                        job.parentId(),
                        job.runAt() == null ? null : Timestamp.from(job.runAt()),
                        json.writeValueAsString(job.metadata() == null ? Map.of() : job.metadata()),
                        tracing.current(),
                        job.lane().name(),
                        job.type(),
                        job.ownerId(),
                        job.lane().name(),
                        job.lane().lag())
                .query(this::job)
                .single();
        if (job.parentId() != null) {
            dependOn(new JobId(job.parentId()), List.of(id));
        }
        changedRows(List.of(inserted));
        return inserted;
    }

    /** Makes {@code job} wait until every one of {@code dependencies} is COMPLETED. */
    public void dependOn(JobId job, Collection<JobId> dependencies) {
        for (JobId dependency : dependencies) {
            jdbc.sql("insert into job_dependencies (job_id, depends_on) values (?, ?) on conflict do nothing")
                    .params(job.value(), dependency.value())
                    .update();
        }
    }

    public Optional<Job> find(JobId id) {
        return jdbc.sql("select * from jobs where job_id = ?")
                .param(id.value())
                .query(this::job)
                .optional();
    }

    /** Serialises job submissions of one type until the current transaction ends. */
    void lockSubmissions(String type) {
        jdbc.sql("select pg_advisory_xact_lock(hashtext('chute.jobs.submit.' || ?))")
                .param(type)
                .query()
                .singleValue();
    }

    /** Waiting (PENDING or RETRYING) jobs of a type: the backpressure measure. */
    public long countWaiting(String type) {
        return jdbc.sql("select count(*) from jobs j where j.type = ? and " + JobSql.WAITING)
                .param(type)
                .query(Long.class)
                .single();
    }

    /** Marks a claimed job COMPLETED with its outputs; false if the worker lost it meanwhile. */
    public boolean complete(Job claimed, Map<String, Output> outputs, Map<String, Object> metadata) {
        return completeAll(List.of(new Completion(claimed, outputs, metadata)))
                .contains(claimed.id().value());
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
        return changing(() -> {
            Set<UUID> completed = Set.copyOf(jdbc.sql("""
                    update jobs j set status = :completed, outputs = cast(d.outputs as jsonb),
                           metadata = j.metadata || cast(d.metadata as jsonb), progress = 100, completed_at = now(),
                           error_message = null, lease_owner = null, heartbeat_at = null, version = j.version + 1
                    from unnest(cast(:ids as uuid[]), cast(:workers as text[]), cast(:versions as bigint[]),
                                cast(:outputs as text[]), cast(:metadata as text[]))
                         as d(job_id, worker, version, outputs, metadata)
                    where j.job_id = d.job_id and %s and j.lease_owner = d.worker
                      and j.version = d.version
                    returning j.job_id""".formatted(JobSql.movableTo(JobStatus.COMPLETED)))
                    .param("completed", JobStatus.COMPLETED.name())
                    .param("ids", ids)
                    .param("workers", workers)
                    .param("versions", versions)
                    .param("outputs", outputs)
                    .param("metadata", metadata)
                    .query(UUID.class)
                    .list());
            changed(completed);
            return completed;
        });
    }

    /** A transient failure: RETRYING at {@code runAt}, or FAILED when the attempts are used up. */
    public boolean failAttempt(Job claimed, String error, Instant runAt) {
        boolean last = claimed.attempts() >= claimed.maxAttempts();
        return changing(() -> changedIf(
                jdbc.sql("""
                update jobs j set status = :status, error_message = :error, run_at = coalesce(:runAt, run_at),
                       next_retry_at = :runAt, failed_at = case when :last then now() end,
                       lease_owner = null, heartbeat_at = null, version = version + 1
                where job_id = :id and %s and lease_owner = :worker and version = :version""".formatted(JobSql.movableTo(last ? JobStatus.FAILED : JobStatus.RETRYING)))
                                .param("status", last ? JobStatus.FAILED.name() : JobStatus.RETRYING.name())
                                .param("error", truncate(error))
                                .param("runAt", last ? null : Timestamp.from(runAt))
                                .param("last", last)
                                .param("id", claimed.id().value())
                                .param("worker", claimed.leaseOwner())
                                .param("version", claimed.version())
                                .update()
                        == 1,
                claimed));
    }

    /** Gives a running job back unfinished (shutdown): RETRYING now, and the attempt does not count. */
    public boolean release(Job claimed) {
        return changing(() -> changedIf(
                jdbc.sql("""
                update jobs j set status = ?, attempts = greatest(attempts - 1, 0), run_at = now(),
                       lease_owner = null, heartbeat_at = null, version = version + 1
                where job_id = ? and %s and lease_owner = ? and version = ?""".formatted(JobSql.movableTo(JobStatus.RETRYING)))
                                .params(
                                        JobStatus.RETRYING.name(),
                                        claimed.id().value(),
                                        claimed.leaseOwner(),
                                        claimed.version())
                                .update()
                        == 1,
                claimed));
    }

    /** The file itself is bad: REJECTED with the reason, no retry. */
    public boolean reject(Job claimed, String reason) {
        return changing(() -> changedIf(
                jdbc.sql("""
                update jobs j set status = :rejected, error_message = :reason, failed_at = now(),
                       lease_owner = null, heartbeat_at = null, version = version + 1
                where job_id = :id and %s and lease_owner = :worker and version = :version""".formatted(JobSql.movableTo(JobStatus.REJECTED)))
                                .param("rejected", JobStatus.REJECTED.name())
                                .param("reason", truncate(reason))
                                .param("id", claimed.id().value())
                                .param("worker", claimed.leaseOwner())
                                .param("version", claimed.version())
                                .update()
                        == 1,
                claimed));
    }

    /** Renews the leases of the jobs {@code worker} is running; returns those it still holds. */
    public Set<UUID> heartbeat(String worker, Collection<UUID> jobIds) {
        if (jobIds.isEmpty()) {
            return Set.of();
        }
        return Set.copyOf(jdbc.sql("""
                update jobs j set heartbeat_at = now()
                where job_id = any(:ids) and j.status = :processing and lease_owner = :worker
                returning job_id""")
                .param("processing", JobStatus.PROCESSING.name())
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
        return changing(() -> changedJobs(
                jdbc.sql("""
                update jobs set status = case when attempts >= max_attempts then :failed else :retrying end,
                       failed_at = case when attempts >= max_attempts then now() end,
                       error_message = 'worker ' || coalesce(lease_owner, '?') || ' stopped renewing its lease',
                       run_at = now(), lease_owner = null, heartbeat_at = null, version = version + 1
                where job_id in (select j.job_id from jobs j
                                 where %s and %s and j.heartbeat_at < now() - make_interval(secs => :lease)
                                 for update skip locked)
                returning *""".formatted(JobSql.movableTo(JobStatus.FAILED), JobSql.movableTo(JobStatus.RETRYING)))
                        .param("failed", JobStatus.FAILED.name())
                        .param("retrying", JobStatus.RETRYING.name())
                        .param("lease", leaseSeconds)
                        .query(this::job)
                        .list()));
    }

    /**
     * Takes back, in one conditional update, the running jobs of workers whose node has no
     * heartbeat newer than {@code deadAfter} (a worker id is {@code {nodeId}/{worker}}; a job is
     * taken only while it is still PROCESSING under that owner). Node {@code self}, the caller,
     * is alive whatever its row says (it may just be back from a database outage). The crash is not a failed
     * attempt: the claim's attempt is given back and {@code crashes} counts one more; a job whose
     * worker died {@code maxCrashes} times is FAILED (it is likely what kills its workers), the
     * others are RETRYING now. Returns the jobs taken back.
     */
    public List<Job> takeBackFromDeadNodes(String self, Duration deadAfter, int maxCrashes) {
        return changing(() -> changedJobs(
                jdbc.sql("""
                update jobs j set status = case when j.crashes + 1 >= :max then :failed else :retrying end,
                       crashes = j.crashes + 1,
                       attempts = case when j.crashes + 1 >= :max then j.attempts else greatest(j.attempts - 1, 0) end,
                       failed_at = case when j.crashes + 1 >= :max then now() end,
                       error_message = case when j.crashes + 1 >= :max
                           then 'its worker died ' || (j.crashes + 1) || ' times while running it (last: node '
                                || split_part(j.lease_owner, '/', 1) || ')'
                           else 'node ' || split_part(j.lease_owner, '/', 1) || ' died while running it' end,
                       run_at = now(), next_retry_at = null, lease_owner = null, heartbeat_at = null,
                       version = j.version + 1
                from (select d.job_id, d.lease_owner from jobs d
                      where d.status = :processing and strpos(d.lease_owner, '/') > 0
                        and split_part(d.lease_owner, '/', 1) <> :self
                        and not exists (select 1 from nodes n
                                        where n.node_id = split_part(d.lease_owner, '/', 1)
                                          and n.heartbeat_at >= now() - make_interval(secs => :deadAfter))
                      for update of d skip locked) dead
                where j.job_id = dead.job_id and j.status = :processing and j.lease_owner = dead.lease_owner
                  and %s and %s
                returning j.*""".formatted(JobSql.movableTo(JobStatus.FAILED), JobSql.movableTo(JobStatus.RETRYING)))
                        .param("max", maxCrashes)
                        .param("self", self)
                        .param("failed", JobStatus.FAILED.name())
                        .param("retrying", JobStatus.RETRYING.name())
                        .param("processing", JobStatus.PROCESSING.name())
                        .param("deadAfter", deadAfter.toMillis() / 1000.0)
                        .query(this::job)
                        .list()));
    }

    /** Cancels a job that has not finished; empty if it was not in a cancellable state. */
    public Optional<Job> cancel(JobId id) {
        return changing(() -> changedJob(jdbc.sql("""
                update jobs j set status = ?, lease_owner = null, heartbeat_at = null,
                       error_message = 'cancelled', version = version + 1
                where job_id = ? and %s
                returning *""".formatted(JobSql.movableTo(JobStatus.CANCELLED)))
                .params(JobStatus.CANCELLED.name(), id.value())
                .query(this::job)
                .optional()));
    }

    /**
     * Puts a FAILED or CANCELLED job back to PENDING with a fresh set of attempts, in the bulk lane
     * with a new fair rank (a retry of an old job queues behind its owner's other work); empty
     * otherwise.
     */
    public Optional<Job> retry(JobId id) {
        return changing(() -> changedJob(jdbc.sql("""
                update jobs j set status = ?, attempts = 0, run_at = now(), next_retry_at = null,
                       failed_at = null, error_message = null, progress = 0, version = version + 1,
                       lane = ?, fair_rank = job_fair_start(j.type, j.owner_id, ?) + ?
                where job_id = ? and %s
                returning *""".formatted(JobSql.movableTo(JobStatus.PENDING)))
                .params(
                        JobStatus.PENDING.name(),
                        JobLane.BULK.name(),
                        JobLane.BULK.name(),
                        JobLane.BULK.lag(),
                        id.value())
                .query(this::job)
                .optional()));
    }

    /** The jobs {@code job} waits for (a parent's children, a zip's inputs). */
    public List<Job> dependencies(JobId job) {
        return jdbc.sql("""
                select j.* from job_dependencies d join jobs j on j.job_id = d.depends_on
                where d.job_id = ? order by j.created_at, j.job_id""").param(job.value()).query(this::job).list();
    }

    /** The jobs still waiting (PENDING or RETRYING) on any of {@code dependencies} whose every dependency is now COMPLETED: one query for a whole batch of completions. */
    public List<Job> releasedByAny(Collection<UUID> dependencies) {
        if (dependencies.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("""
                select j.* from jobs j
                where j.job_id in (select w.job_id from job_dependencies w where w.depends_on = any(?))
                  and %s""".formatted(JobSql.READY))
                .param(dependencies.toArray(UUID[]::new))
                .query(this::job)
                .list();
    }

    /** Jobs waiting on {@code dependency}, which can no longer complete, fail with {@code reason}. */
    public List<Job> failDependents(JobId dependency, String reason) {
        return changing(() -> changedJobs(jdbc.sql("""
                update jobs j set status = ?, failed_at = now(), error_message = ?, version = version + 1
                where job_id in (select job_id from job_dependencies where depends_on = ?)
                  and %s and %s
                returning *""".formatted(JobSql.WAITING, JobSql.movableTo(JobStatus.FAILED)))
                .params(JobStatus.FAILED.name(), truncate(reason), dependency.value())
                .query(this::job)
                .list()));
    }

    /** Per type: how many jobs wait, run, retry, failed, and completed in the last hour. */
    public List<QueueStats> queueStats() {
        return jdbc.sql("""
                select type,
                       count(*) filter (where status = :pending) as pending,
                       count(*) filter (where status = :processing) as processing,
                       count(*) filter (where status = :retrying) as retrying,
                       count(*) filter (where status = :failed) as failed,
                       count(*) filter (where status = :completed and completed_at > now() - interval '1 hour') as completed_last_hour
                from jobs group by type order by type""")
                .param("pending", JobStatus.PENDING.name())
                .param("processing", JobStatus.PROCESSING.name())
                .param("retrying", JobStatus.RETRYING.name())
                .param("failed", JobStatus.FAILED.name())
                .param("completed", JobStatus.COMPLETED.name())
                .query((rs, n) -> new QueueStats(
                        rs.getString("type"),
                        rs.getLong("pending"),
                        rs.getLong("processing"),
                        rs.getLong("retrying"),
                        rs.getLong("failed"),
                        rs.getLong("completed_last_hour")))
                .list();
    }

    public record QueueStats(
            String type, long pending, long processing, long retrying, long failed, long completedLastHour) {}

    /** One owner's share of a type's queue: jobs waiting (PENDING or RETRYING) and PROCESSING. */
    public record OwnerBacklog(UUID ownerId, String username, long waiting, long running) {}

    /**
     * Per type, the {@code top} owners with the most waiting jobs (then running), biggest first:
     * one grouped query over the active jobs' index.
     */
    public Map<String, List<OwnerBacklog>> topOwners(int top) {
        Map<String, List<OwnerBacklog>> byType = new java.util.HashMap<>();
        jdbc.sql("""
                select t.type, t.owner_id, u.username, t.waiting, t.running from (
                    select j.type, j.owner_id,
                           count(*) filter (where %1$s) as waiting,
                           count(*) filter (where j.status = :processing) as running,
                           row_number() over (partition by j.type
                                              order by count(*) filter (where %1$s) desc,
                                                       count(*) filter (where j.status = :processing) desc,
                                                       j.owner_id) as n
                    from jobs j
                    where j.status in (:active)
                    group by j.type, j.owner_id
                ) t join users u on u.id = t.owner_id
                where t.n <= :top
                order by t.type, t.n""".formatted(JobSql.WAITING))
                .param("processing", JobStatus.PROCESSING.name())
                .param(
                        "active",
                        List.of(JobStatus.PENDING.name(), JobStatus.RETRYING.name(), JobStatus.PROCESSING.name()))
                .param("top", top)
                .query(rs -> {
                    byType.computeIfAbsent(rs.getString("type"), k -> new java.util.ArrayList<>())
                            .add(new OwnerBacklog(
                                    rs.getObject("owner_id", UUID.class),
                                    rs.getString("username"),
                                    rs.getLong("waiting"),
                                    rs.getLong("running")));
                });
        return byType;
    }

    /** How many jobs are in each of {@code statuses}, by type: keys {@code type/STATUS}; absent means none. One grouped query. */
    public Map<String, Long> countByTypeAndStatus(Set<JobStatus> statuses) {
        Map<String, Long> counts = new java.util.HashMap<>();
        jdbc.sql("select type, status, count(*) from jobs where status in (:statuses) group by type, status")
                .param("statuses", statuses.stream().map(Enum::name).toList())
                .query(rs -> {
                    counts.put(rs.getString(1) + "/" + rs.getString(2), rs.getLong(3));
                });
        return counts;
    }

    public void progress(Job claimed, int percent) {
        changing(() -> changedIf(
                jdbc.sql(
                                        "update jobs set progress = ? where job_id = ? and status = ? and lease_owner = ? and progress < ?")
                                .params(
                                        Math.clamp(percent, 0, 100),
                                        claimed.id().value(),
                                        JobStatus.PROCESSING.name(),
                                        claimed.leaseOwner(),
                                        percent)
                                .update()
                        == 1,
                claimed));
    }

    /** The jobs with these ids that exist, in no particular order. */
    public List<Job> findAll(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("select * from jobs where job_id = any(?)")
                .param(ids.toArray(UUID[]::new))
                .query(this::job)
                .list();
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
                instant(rs, "failed_at"),
                rs.getString("trace_parent"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
