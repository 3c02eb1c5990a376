package io.chute.job;

import io.chute.config.ChuteProperties;
import io.micrometer.tracing.Span;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs claimed jobs, whichever queue delivered them: the type's handler on its own thread under
 * the type's timeout, then one conditional transition to the outcome. Keeps the leases of its
 * running jobs alive, interrupts a job that was cancelled or taken away meanwhile, and takes
 * back jobs whose worker died.
 */
public class JobRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    /** What became of one delivery. */
    public enum Outcome {
        COMPLETED,
        RETRYING,
        FAILED,
        REJECTED,
        LOST
    }

    private final Jobs jobs;
    private final Map<String, JobHandler> handlers;
    private final ChuteProperties.Jobs config;
    private final TransactionTemplate tx;
    private final Backoff backoff;
    private final String workerId;
    private final Map<UUID, Future<?>> running = new ConcurrentHashMap<>();
    // why: the handler runs on its own thread so that a stuck one can be timed out and interrupted
    private final ExecutorService handlerThreads = Executors.newCachedThreadPool(
            Thread.ofPlatform().name("chute-job-", 1).daemon().factory());
    private final CompletionBatcher completions;
    private final JobMetrics metrics;
    private final JobTracing tracing;
    private final JobRates rates;
    private volatile JobQueue queue;
    private volatile boolean stopping;

    /** A runner without start rates ({@code chute.jobs.types.{type}.rate} is not applied). */
    public JobRunner(Jobs jobs, List<JobHandler> handlers, ChuteProperties.Jobs config, TransactionTemplate tx) {
        this(jobs, handlers, config, tx, JobRates.unlimited(config));
    }

    public JobRunner(
            Jobs jobs, List<JobHandler> handlers, ChuteProperties.Jobs config, TransactionTemplate tx, JobRates rates) {
        this(jobs, handlers, config, tx, rates, JobMetrics.none(), JobTracing.none());
    }

    public JobRunner(
            Jobs jobs,
            List<JobHandler> handlers,
            ChuteProperties.Jobs config,
            TransactionTemplate tx,
            JobRates rates,
            JobMetrics metrics,
            JobTracing tracing) {
        this(
                jobs,
                handlers,
                config,
                tx,
                rates,
                metrics,
                tracing,
                ManagementFactory.getRuntimeMXBean().getName());
    }

    /**
     * A runner whose worker id is {@code {node}/{random}}: a job's {@code lease_owner} names the
     * node, so that its jobs are taken back as soon as the node's heartbeat is gone.
     */
    public JobRunner(
            Jobs jobs,
            List<JobHandler> handlers,
            ChuteProperties.Jobs config,
            TransactionTemplate tx,
            JobRates rates,
            JobMetrics metrics,
            JobTracing tracing,
            String node) {
        this.jobs = jobs;
        this.rates = rates;
        this.metrics = metrics;
        this.tracing = tracing;
        this.handlers = handlers.stream()
                .flatMap(h -> h.types().stream().map(t -> Map.entry(t, h)))
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
        this.config = config;
        this.tx = tx;
        this.backoff = new Backoff(config.backoffBase());
        this.workerId = node + "/" + UUID.randomUUID().toString().substring(0, 8);
        this.completions = new CompletionBatcher(jobs, this::submit);
    }

    /** The queue that re-delivers what this runner takes back or releases. */
    void attach(JobQueue jobQueue) {
        this.queue = jobQueue;
    }

    public String workerId() {
        return workerId;
    }

    public Set<String> types() {
        return handlers.keySet();
    }

    public ChuteProperties.Jobs config() {
        return config;
    }

    /** The per-type start rates the queue adapters take a permit from before each claim. */
    public JobRates rates() {
        return rates;
    }

    JobMetrics metrics() {
        return metrics;
    }

    /**
     * Runs a job this worker has just claimed, to one outcome, in a span that continues {@code traceParent} (the
     * job's, or its message's), calling {@code handlerReturned} once the job's handler has returned a result and
     * before that result is written (the worker slot can take the next job while the completion waits for its
     * commit). Throws only when the outcome cannot be recorded (database unreachable); the lease then lapses and
     * the job runs again.
     */
    public Outcome run(Job job, String traceParent, Runnable handlerReturned) {
        try {
            return tracing.inSpan(
                    traceParent, "job " + job.type(), () -> metrics.attempt(job, j -> attempt(j, handlerReturned)));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Outcome attempt(Job job, Runnable handlerReturned) {
        JobHandler handler = handlers.get(job.type());
        if (handler == null) {
            jobs.failAttempt(
                    job,
                    "no handler for job type " + job.type() + " on this worker",
                    Instant.now().plus(config.backoffBase()));
            return Outcome.RETRYING;
        }
        Span span = tracing.currentSpan();
        Future<JobHandler.Result> result = handlerThreads.submit(() ->
                tracing.withParent(span, () -> handler.handle(job, percent -> progress(job, percent))));
        running.put(job.id().value(), result);
        try {
            JobHandler.Result done = result.get(config.timeoutOf(job.type()).toMillis(), TimeUnit.MILLISECONDS);
            handlerReturned.run();
            if (!completions.complete(new Jobs.Completion(job, done.outputs(), done.metadata()))) {
                log.info("Job {} changed while it ran (cancelled or lease lost); its result is dropped", job.id());
                return Outcome.LOST;
            }
            return Outcome.COMPLETED;
        } catch (TimeoutException e) {
            result.cancel(true);
            return failAttempt(job, "timed out after " + config.timeoutOf(job.type()));
        } catch (java.util.concurrent.CancellationException e) {
            if (stopping && jobs.release(job)) {
                log.info("Job {} released at shutdown; another worker will run it", job.id());
            } else {
                log.info("Job {} was interrupted: cancelled or its lease was lost", job.id());
            }
            return Outcome.LOST;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof PermanentJobFailure bad) {
                if (!jobs.reject(job, bad.getMessage())) {
                    return Outcome.LOST;
                }
                log.info("Job {} rejected: {}", job.id(), bad.getMessage());
                failParentOf(job, JobStatus.REJECTED);
                return Outcome.REJECTED;
            }
            // why: an outage fails every attempt of every job; one line each, the stack trace on debug
            log.warn(
                    "Job {} attempt {} of {} failed: {}",
                    job.id(),
                    job.attempts(),
                    job.maxAttempts(),
                    String.valueOf(cause));
            log.debug("Job {} failure", job.id(), cause);
            return failAttempt(job, String.valueOf(cause));
        } catch (InterruptedException e) {
            result.cancel(true);
            Thread.currentThread().interrupt();
            return Outcome.LOST;
        } finally {
            running.remove(job.id().value());
        }
    }

    /** Progress is best effort: a failed write (database blip) must not fail the attempt. */
    private void progress(Job job, int percent) {
        try {
            jobs.progress(job, percent);
        } catch (RuntimeException e) {
            log.debug("Progress {}% of job {} not written: {}", percent, job.id(), e.toString());
        }
    }

    private Outcome failAttempt(Job job, String error) {
        Duration delay = backoff.delayAfter(job.attempts());
        boolean last = job.attempts() >= job.maxAttempts();
        if (!jobs.failAttempt(job, error, Instant.now().plus(delay))) {
            return Outcome.LOST;
        }
        if (last) {
            failParentOf(job, JobStatus.FAILED);
            return Outcome.FAILED;
        }
        return Outcome.RETRYING;
    }

    /** A job can no longer complete: whatever waits on it fails, and so on down the chain. */
    void failParentOf(Job job, JobStatus status) {
        for (Job dependent : jobs.failDependents(job.id(), "input job " + job.id() + " is " + status)) {
            failParentOf(dependent, JobStatus.FAILED);
        }
    }

    /** Renews the leases of running jobs and interrupts those no longer held (cancelled, or taken back). */
    public void heartbeat() {
        Set<UUID> mine = Set.copyOf(running.keySet());
        if (mine.isEmpty()) {
            return;
        }
        Set<UUID> held = jobs.heartbeat(workerId, mine);
        for (UUID id : mine) {
            if (!held.contains(id)) {
                Future<?> lost = running.get(id);
                if (lost != null) {
                    lost.cancel(true);
                }
            }
        }
    }

    /** Takes back jobs whose worker stopped renewing its lease, and re-delivers them. */
    public int recoverExpiredLeases() {
        Integer taken = tx.execute(s -> {
            List<Job> recovered =
                    jobs.recoverExpiredLeases(Math.max(1, config.lease().toSeconds()));
            for (Job job : recovered) {
                if (job.status() == JobStatus.RETRYING) {
                    submit(job);
                } else {
                    failParentOf(job, job.status());
                }
            }
            return recovered.size();
        });
        if (taken != null && taken > 0) {
            log.warn("Took back {} jobs whose worker stopped renewing its lease", taken);
        }
        return taken == null ? 0 : taken;
    }

    private void submit(Job job) {
        JobQueue q = queue;
        if (q != null) {
            q.submitted(job);
        }
    }

    /** Stops the handler threads and the completion writer; the queue has stopped delivering before. */
    @Override
    public void close() {
        handlerThreads.shutdownNow();
        completions.close();
    }

    /** Interrupts everything still running and releases it to other workers (shutdown after the grace period). */
    public void interruptAll() {
        stopping = true;
        running.values().forEach(f -> f.cancel(true));
    }
}
