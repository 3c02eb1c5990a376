package io.chute.job;

import io.chute.config.ChuteProperties;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The worker role on the PostgreSQL queue: threads that claim jobs with {@code FOR UPDATE SKIP
 * LOCKED}, woken at once by {@code LISTEN/NOTIFY} and by a poll as a safety net; a heartbeat
 * that renews the leases of running jobs; and a sweeper that takes back jobs whose worker died.
 */
@Component
@ConditionalOnExpression("'${chute.roles:api,gateway,worker}'.contains('worker')")
class JobWorker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobWorker.class);

    private final Jobs jobs;
    private final DataSource dataSource;
    private final ChuteProperties.Jobs config;
    private final Map<String, JobHandler> handlers;
    private final Backoff backoff;
    private final String workerId;
    private final Object wakeUp = new Object();
    private final Set<UUID> inFlight = ConcurrentHashMap.newKeySet();

    private volatile boolean running;
    private ExecutorService loops;
    private ExecutorService work;
    private ScheduledExecutorService maintenance;
    private Thread listener;

    JobWorker(Jobs jobs, DataSource dataSource, ChuteProperties properties, List<JobHandler> handlers) {
        this.jobs = jobs;
        this.dataSource = dataSource;
        this.config = properties.jobs();
        this.handlers = handlers.stream().collect(Collectors.toUnmodifiableMap(JobHandler::type, Function.identity()));
        this.backoff = new Backoff(config.backoffBase());
        this.workerId = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    String workerId() {
        return workerId;
    }

    @Override
    public void start() {
        running = true;
        int threads = Math.max(1, config.workers());
        loops = Executors.newFixedThreadPool(threads, Thread.ofPlatform().name("chute-worker-", 1).factory());
        // why: the handler runs on its own thread so that a stuck one can be timed out and interrupted
        work = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name("chute-job-", 1).daemon().factory());
        for (int i = 0; i < threads; i++) {
            loops.submit(this::loop);
        }
        listener = Thread.ofPlatform().name("chute-job-listener").daemon().start(this::listen);
        maintenance = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("chute-job-lease").daemon().factory());
        long beat = Math.max(1, config.lease().toMillis() / 3);
        maintenance.scheduleWithFixedDelay(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
        maintenance.scheduleWithFixedDelay(this::recover, beat, beat, TimeUnit.MILLISECONDS);
        log.info("Job worker {} started: {} threads, job types {}, lease {}", workerId, threads, handlers.keySet(), config.lease());
    }

    @Override
    public void stop() {
        running = false;
        synchronized (wakeUp) {
            wakeUp.notifyAll();
        }
        if (listener != null) {
            listener.interrupt();
        }
        loops.shutdown();
        try {
            // drain: let in-flight jobs finish within the grace period; the rest are taken back by lease expiry
            if (!loops.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("Jobs {} still running at shutdown; their leases will lapse and they will run again", inFlight);
                loops.shutdownNow();
                work.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        maintenance.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // why: start after the web server and stop before the data source closes
        return SmartLifecycle.DEFAULT_PHASE - 100;
    }

    private void loop() {
        while (running) {
            try {
                Optional<Job> claimed = jobs.claim(handlers.keySet(), workerId);
                if (claimed.isPresent()) {
                    run(claimed.get());
                } else {
                    synchronized (wakeUp) {
                        wakeUp.wait(config.pollInterval().toMillis());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warn("Worker loop failed; retrying after the poll interval", e);
                pause();
            }
        }
    }

    private void run(Job job) {
        inFlight.add(job.id().value());
        try {
            JobHandler handler = handlers.get(job.type());
            Future<JobHandler.Result> result = work.submit(() -> handler.handle(job, percent -> jobs.progress(job, percent)));
            try {
                JobHandler.Result done = result.get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
                if (!jobs.complete(job, done.outputs(), done.metadata())) {
                    log.info("Job {} changed while it ran (cancelled or lease lost); its result is dropped", job.id());
                }
            } catch (TimeoutException e) {
                result.cancel(true);
                retryOrFail(job, "timed out after " + config.timeout());
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof PermanentJobFailure bad) {
                    jobs.reject(job, bad.getMessage());
                    log.info("Job {} rejected: {}", job.id(), bad.getMessage());
                } else {
                    log.warn("Job {} attempt {} failed", job.id(), job.attempts(), cause);
                    retryOrFail(job, String.valueOf(cause));
                }
            } catch (InterruptedException e) {
                result.cancel(true);
                Thread.currentThread().interrupt();
            }
        } finally {
            inFlight.remove(job.id().value());
        }
    }

    private void retryOrFail(Job job, String error) {
        Duration delay = backoff.delayAfter(job.attempts());
        jobs.failAttempt(job, error, Instant.now().plus(delay));
    }

    private void heartbeat() {
        try {
            jobs.heartbeat(workerId, Set.copyOf(inFlight));
        } catch (RuntimeException e) {
            log.warn("Heartbeat failed", e);
        }
    }

    private void recover() {
        try {
            int taken = jobs.recoverExpiredLeases(Math.max(1, config.lease().toSeconds()));
            if (taken > 0) {
                log.warn("Took back {} jobs whose worker stopped renewing its lease", taken);
                wakeAll();
            }
        } catch (RuntimeException e) {
            log.warn("Lease recovery failed", e);
        }
    }

    private void listen() {
        while (running) {
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("LISTEN " + Jobs.CHANNEL);
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    var notifications = pg.getNotifications(1000);
                    if (notifications != null && notifications.length > 0) {
                        wakeAll();
                    }
                }
            } catch (Exception e) {
                if (running) {
                    log.warn("Lost the job notification connection; polling until it is back", e);
                    pause();
                }
            }
        }
    }

    private void wakeAll() {
        synchronized (wakeUp) {
            wakeUp.notifyAll();
        }
    }

    private void pause() {
        try {
            Thread.sleep(config.pollInterval().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
