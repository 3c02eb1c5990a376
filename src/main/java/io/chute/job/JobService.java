package io.chute.job;

import io.chute.auth.CurrentUser;
import io.chute.common.ApiException;
import io.chute.config.ChuteProperties;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** Creating and controlling jobs: backpressure on submit, cancel and retry. */
@Service
public class JobService {

    /** Below this share of the limit, the count is checked without serialising submitters. */
    private static final double LOCK_FREE_SHARE = 0.8;

    /** How old a node's count of a type's waiting jobs may be while it is below {@link #LOCK_FREE_SHARE}. */
    static final Duration DEPTH_MAX_AGE = Duration.ofSeconds(1);

    private final Jobs jobs;
    private final JobQueue queue;
    private final JobRunner runner;
    private final TransactionTemplate tx;
    private final ChuteProperties.Jobs config;
    private final FileSharing sharing;
    private final Map<String, Depth> depths = new ConcurrentHashMap<>();

    JobService(
            Jobs jobs,
            JobQueue queue,
            JobRunner runner,
            TransactionTemplate tx,
            ChuteProperties properties,
            FileSharing sharing) {
        this.jobs = jobs;
        this.queue = queue;
        this.runner = runner;
        this.tx = tx;
        this.config = properties.jobs();
        this.sharing = sharing;
    }

    /**
     * Inserts a job and hands it to the queue. Call inside the caller's transaction, so the job
     * exists exactly when whatever it belongs to does.
     *
     * @throws ApiException 503 with {@code Retry-After} when the type already holds
     *     {@code chute.jobs.queue-limit} waiting jobs; the caller's transaction must roll back
     */
    public Job submit(Jobs.NewJob newJob) {
        Depth depth = requireRoom(newJob.type());
        Job job = jobs.insert(newJob);
        queue.submitted(job);
        depth.submitted.incrementAndGet();
        return job;
    }

    /** The attempts a new job of {@code type} gets. */
    public int maxAttemptsOf(String type) {
        return config.maxAttemptsOf(type);
    }

    /**
     * 503 unless {@code type} has room for one more waiting job. Far below the limit the node's own estimate decides
     * (the count it made at most {@link #DEPTH_MAX_AGE} ago plus what it submitted since): counting the waiting jobs
     * costs a scan of all of them, which on every submit made a long queue slower to grow the longer it was. From
     * {@link #LOCK_FREE_SHARE} of the limit on, the count is exact and submitters are serialised, as before.
     */
    private Depth requireRoom(String type) {
        int limit = config.queueLimitOf(type);
        Depth depth = depthOf(type);
        if (depth.estimate() < limit * LOCK_FREE_SHARE) {
            return depth;
        }
        long waiting = jobs.countWaiting(type);
        if (waiting >= limit * LOCK_FREE_SHARE) {
            // why: near the limit, concurrent submitters must not all see room for one more
            jobs.lockSubmissions(type);
            waiting = jobs.countWaiting(type);
        }
        depth = new Depth(waiting, System.nanoTime());
        depths.put(type, depth);
        if (waiting >= limit) {
            int retryAfter = (int) Math.max(1, Math.min(60, config.backoffBase().toSeconds() * 5));
            throw new ApiException(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "The " + type + " queue is full (" + limit + " waiting jobs); try again shortly",
                    Map.of("retryAfterSeconds", retryAfter));
        }
        return depth;
    }

    /** The node's estimate of {@code type}'s waiting jobs, counted again once it is older than its maximum age. */
    private Depth depthOf(String type) {
        Depth depth = depths.get(type);
        long now = System.nanoTime();
        if (depth != null && now - depth.countedAt < DEPTH_MAX_AGE.toNanos()) {
            return depth;
        }
        // why: one submitter counts again while the others go on with the old estimate (one count per second per node)
        if (depth == null) {
            depth = new Depth(jobs.countWaiting(type), now);
            depths.put(type, depth);
        } else if (depth.recounting.compareAndSet(false, true)) {
            Depth old = depth;
            try {
                depth = new Depth(jobs.countWaiting(type), now);
                depths.put(type, depth);
            } finally {
                // why: a count that failed (the database down) must not keep the old estimate from being counted again
                old.recounting.set(false);
            }
        }
        return depth;
    }

    /** A count of a type's waiting jobs, when it was made, and the jobs this node submitted since. */
    private static final class Depth {

        final long counted;
        final long countedAt;
        final AtomicLong submitted = new AtomicLong();
        final AtomicBoolean recounting = new AtomicBoolean();

        Depth(long counted, long countedAt) {
            this.counted = counted;
            this.countedAt = countedAt;
        }

        long estimate() {
            return counted + submitted.get();
        }
    }

    /** Cancels the caller's job if it has not finished (409 otherwise). */
    public Job cancel(CurrentUser caller, JobId id) {
        Job job = visible(caller, id);
        return tx.execute(s -> {
            Job cancelled = jobs.cancel(id)
                    .orElseThrow(() -> ApiException.conflict(
                            "Only PENDING, RETRYING or PROCESSING jobs can be cancelled; this one is " + job.status()));
            runner.failParentOf(cancelled, JobStatus.CANCELLED);
            return cancelled;
        });
    }

    /** Retries the caller's FAILED or CANCELLED job with a fresh set of attempts (409 otherwise). */
    public Job retry(CurrentUser caller, JobId id) {
        Job job = visible(caller, id);
        return tx.execute(s -> {
            if (job.status() == JobStatus.FAILED || job.status() == JobStatus.CANCELLED) {
                requireRoom(job.type()).submitted.incrementAndGet();
            }
            // a job retries its inputs that did not complete, so that it can run at all
            for (Job input : jobs.dependencies(id)) {
                jobs.retry(input.id()).ifPresent(queue::submitted);
            }
            Job retried = jobs.retry(id)
                    .orElseThrow(() -> ApiException.conflict(
                            "Only FAILED or CANCELLED jobs can be retried; this one is " + job.status()));
            queue.submitted(retried);
            return retried;
        });
    }

    /**
     * The job if the caller may read it: their own, or one of a file sent in a channel they are a
     * member of, or a zip made for such a channel. 404 otherwise.
     */
    public Job readable(CurrentUser caller, JobId id) {
        return jobs.find(id)
                .filter(j -> caller.canSee(j.ownerId())
                        || j.uploadId() != null && sharing.sharedWith(caller.id(), j.uploadId())
                        || channelOf(j) != null && sharing.isMember(caller.id(), channelOf(j)))
                .orElseThrow(() -> ApiException.notFound("Job"));
    }

    /** The channel a job was made for (a room zip's), or null. */
    public static UUID channelOf(Job job) {
        Object channel = job.metadata().get(CHANNEL_ID);
        try {
            return channel instanceof String s ? UUID.fromString(s) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The metadata key naming the channel a job was made for. */
    public static final String CHANNEL_ID = "channelId";

    /** The job if the caller may see it; 404 otherwise, so that other users' ids cannot be probed. */
    public Job visible(CurrentUser caller, JobId id) {
        return jobs.find(id).filter(j -> caller.canSee(j.ownerId())).orElseThrow(() -> ApiException.notFound("Job"));
    }
}
