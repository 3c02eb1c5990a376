package io.chute.job;

import io.chute.config.ChuteProperties;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs table as the queue: per job type, worker threads claim with {@code FOR UPDATE SKIP
 * LOCKED}, are woken at once by {@code LISTEN/NOTIFY} (sent in the submitting transaction, so
 * delivered at its commit), and poll as a safety net. The number of active threads per type
 * follows the queue depth between {@code chute.jobs.min-workers} and the type's concurrency:
 * one more when depth exceeds workers × 10, one fewer when it falls under workers × 5.
 */
public class PostgresJobQueue implements JobQueue {

    private static final Logger log = LoggerFactory.getLogger(PostgresJobQueue.class);

    private final Jobs jobs;
    private final DataSource dataSource;
    private final ChuteProperties.Jobs config;
    private final Map<String, TypePool> pools = new ConcurrentHashMap<>();
    private volatile boolean running;
    private Thread listener;
    private ScheduledExecutorService scaler;

    public PostgresJobQueue(Jobs jobs, DataSource dataSource, ChuteProperties.Jobs config) {
        this.jobs = jobs;
        this.dataSource = dataSource;
        this.config = config;
    }

    @Override
    public void submitted(Job job) {
        jobs.notifyWorkers(job.type());
    }

    @Override
    public synchronized void start(JobRunner runner) {
        running = true;
        for (String type : runner.types()) {
            TypePool pool = new TypePool(type, runner, Math.min(config.minWorkers(), config.concurrencyOf(type)),
                    config.concurrencyOf(type));
            pools.put(type, pool);
            pool.start();
        }
        listener = Thread.ofPlatform().name("chute-jobs-listen").daemon().start(this::listen);
        scaler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("chute-jobs-scale").daemon().factory());
        scaler.scheduleWithFixedDelay(this::scale, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public synchronized void stop(Duration grace) {
        if (!running) {
            return;
        }
        running = false;
        if (scaler != null) {
            scaler.shutdownNow();
        }
        if (listener != null) {
            listener.interrupt();
        }
        pools.values().forEach(TypePool::wakeAll);
        long deadline = System.nanoTime() + grace.toNanos();
        for (TypePool pool : pools.values()) {
            pool.join(deadline);
        }
        pools.values().forEach(TypePool::interrupt);
    }

    @Override
    public Map<String, Integer> activeWorkers() {
        Map<String, Integer> active = new TreeMap<>();
        pools.forEach((type, pool) -> active.put(type, pool.active));
        return active;
    }

    @Override
    public String name() {
        return "postgres";
    }

    private void scale() {
        for (TypePool pool : pools.values()) {
            try {
                pool.scale(jobs.countWaiting(pool.type));
            } catch (RuntimeException e) {
                log.debug("Could not read the depth of {}", pool.type, e);
            }
        }
    }

    private void listen() {
        while (running) {
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("LISTEN " + Jobs.CHANNEL);
                PGConnection pg = connection.unwrap(PGConnection.class);
                // a notification may have been missed while reconnecting
                pools.values().forEach(TypePool::wakeAll);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(1000);
                    if (notifications == null) {
                        continue;
                    }
                    for (PGNotification n : notifications) {
                        TypePool pool = pools.get(n.getParameter());
                        if (pool != null) {
                            pool.wakeOne();
                        }
                    }
                }
            } catch (Exception e) {
                if (running) {
                    log.warn("Lost the job notification connection; polling until it is back: {}", e.toString());
                    sleepQuietly(config.pollInterval());
                }
            }
        }
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One job type on this node: a fetcher claims as many jobs as there are free slots in one
     * statement and hands them to the type's worker threads; {@code active} (the number of
     * slots) follows the queue depth.
     */
    private final class TypePool {
        final String type;
        final JobRunner runner;
        final int min;
        final int max;
        final Object signal = new Object();
        final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.ExecutorService workers;
        Thread fetcher;
        volatile int active;

        TypePool(String type, JobRunner runner, int min, int max) {
            this.type = type;
            this.runner = runner;
            this.min = Math.max(1, min);
            this.max = Math.max(this.min, max);
            this.active = this.min;
            this.workers = Executors.newFixedThreadPool(this.max, Thread.ofPlatform().name("chute-" + type + "-", 0).factory());
        }

        void start() {
            fetcher = Thread.ofPlatform().name("chute-" + type + "-fetch").start(this::fetch);
        }

        void scale(long depth) {
            int now = active;
            if (depth > now * 10L && now < max) {
                active = now + 1;
                wakeAll();
            } else if (depth < now * 5L && now > min) {
                active = now - 1;
            }
        }

        void fetch() {
            while (running) {
                try {
                    int free = active - inFlight.get();
                    if (free <= 0) {
                        await(config.pollInterval());
                        continue;
                    }
                    List<Job> claimed = jobs.claim(type, runner.workerId(), free);
                    if (claimed.isEmpty()) {
                        await(untilNextRun());
                        continue;
                    }
                    for (Job job : claimed) {
                        inFlight.incrementAndGet();
                        workers.execute(() -> {
                            try {
                                runner.run(job);
                            } catch (RuntimeException e) {
                                // the outcome could not be recorded (database gone): the lease lapses and the job runs again
                                log.warn("Recording the outcome of job {} failed: {}", job.id(), e.toString());
                            } finally {
                                inFlight.decrementAndGet();
                                wakeOne();
                            }
                        });
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    log.warn("Claiming {} jobs failed; retrying after the poll interval: {}", type, e.toString());
                    sleepQuietly(config.pollInterval());
                }
            }
        }

        /** Sleep until the next delayed job is due, at most one poll interval. */
        private Duration untilNextRun() {
            Duration poll = config.pollInterval();
            Optional<Instant> next = jobs.nextRunAt(type);
            if (next.isEmpty()) {
                return poll;
            }
            Duration until = Duration.between(Instant.now(), next.get());
            return until.compareTo(poll) > 0 ? poll : (until.toMillis() < 10 ? Duration.ofMillis(10) : until);
        }

        void await(Duration d) throws InterruptedException {
            synchronized (signal) {
                if (running) {
                    signal.wait(Math.max(1, d.toMillis()));
                }
            }
        }

        void wakeOne() {
            synchronized (signal) {
                signal.notifyAll();
            }
        }

        void wakeAll() {
            wakeOne();
        }

        void join(long deadlineNanos) {
            workers.shutdown();
            try {
                long left = deadlineNanos - System.nanoTime();
                if (fetcher != null) {
                    fetcher.join(Duration.ofNanos(Math.max(1, left)));
                }
                workers.awaitTermination(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void interrupt() {
            if (!workers.isTerminated()) {
                log.warn("{} jobs still running after the grace period; releasing them to other workers", type);
                runner.interruptAll();
                workers.shutdownNow();
            }
            if (fetcher != null) {
                fetcher.interrupt();
            }
        }
    }
}
