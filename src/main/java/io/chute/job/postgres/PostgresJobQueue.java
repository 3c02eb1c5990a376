package io.chute.job.postgres;

import io.chute.common.DatabaseOutages;
import io.chute.config.ChuteProperties;
import io.chute.job.Job;
import io.chute.job.JobQueue;
import io.chute.job.JobRunner;
import io.chute.job.QueueThreads;
import io.chute.job.WorkerPool;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs table as the queue: per job type, worker threads claim with {@code FOR UPDATE SKIP
 * LOCKED}, are woken at once by {@code LISTEN/NOTIFY} (sent in the submitting transaction, so
 * delivered at its commit), and poll as a safety net. The number of active threads per type
 * follows the count of waiting jobs in the table ({@link WorkerPool}'s rule).
 */
public class PostgresJobQueue implements JobQueue {

    private static final Logger log = LoggerFactory.getLogger(PostgresJobQueue.class);

    private final PostgresClaims claims;
    private final DataSource dataSource;
    private final ChuteProperties.Jobs config;
    private final Map<String, TypePool> pools = new ConcurrentHashMap<>();
    private volatile boolean running;
    private QueueThreads background;

    public PostgresJobQueue(PostgresClaims claims, DataSource dataSource, ChuteProperties.Jobs config) {
        this.claims = claims;
        this.dataSource = dataSource;
        this.config = config;
    }

    @Override
    public void submitted(Job job) {
        claims.notifyWorkers(job.type());
    }

    @Override
    public synchronized void start(JobRunner runner) {
        running = true;
        for (String type : runner.types()) {
            TypePool pool = new TypePool(new WorkerPool(type, config), runner);
            pools.put(type, pool);
            pool.start();
        }
        background = QueueThreads.start(
                "chute-jobs-listen", this::listen, "chute-jobs-scale", Duration.ofSeconds(1), this::scale);
    }

    @Override
    public synchronized void stop(Duration grace) {
        if (running) {
            running = false;
            background.stop();
            drain(grace);
        }
    }

    /** Lets the running jobs finish within {@code grace}, then interrupts the rest (released to other workers). */
    private void drain(Duration grace) {
        pools.values().forEach(TypePool::wakeAll);
        long deadline = System.nanoTime() + grace.toNanos();
        for (TypePool pool : pools.values()) {
            pool.join(deadline);
        }
        pools.values().forEach(TypePool::interrupt);
    }

    @Override
    public Map<String, Integer> activeWorkers() {
        return WorkerPool.activeByType(
                pools.values().stream().map(p -> p.workers).toList());
    }

    @Override
    public String name() {
        return "postgres";
    }

    private void scale() {
        for (TypePool pool : pools.values()) {
            try {
                pool.scale(claims.countWaiting(pool.type));
            } catch (RuntimeException e) {
                log.debug("Could not read the depth of {}", pool.type, e);
            }
        }
    }

    private void listen() {
        while (running) {
            try (Connection connection = dataSource.getConnection();
                    Statement statement = connection.createStatement()) {
                statement.execute("LISTEN " + PostgresClaims.CHANNEL);
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
                    DatabaseOutages.report(log, "The job notification connection (polling until it is back)", e);
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
     * statement and hands them to the type's worker threads; the number of slots follows the
     * queue depth.
     */
    private final class TypePool {
        final String type;
        final WorkerPool workers;
        final JobRunner runner;
        final Object signal = new Object();
        Thread fetcher;

        TypePool(WorkerPool workers, JobRunner runner) {
            this.type = workers.type();
            this.workers = workers;
            this.runner = runner;
        }

        void start() {
            fetcher = Thread.ofPlatform().name("chute-" + type + "-fetch").start(this::fetch);
        }

        void scale(long depth) {
            if (workers.follow(depth)) {
                wakeAll();
            }
        }

        void fetch() {
            while (running) {
                try {
                    int free = workers.free();
                    if (free <= 0) {
                        await(config.pollInterval());
                        continue;
                    }
                    int allowed = runner.rates().acquire(type, free);
                    if (allowed == 0) {
                        await(until(runner.rates().untilNext(type)));
                        continue;
                    }
                    List<Job> claimed = claims.claim(type, runner.workerId(), allowed, config.ownerConcurrencyOf(type));
                    runner.rates().refund(type, allowed - claimed.size());
                    DatabaseOutages.succeeded();
                    if (claimed.isEmpty()) {
                        await(untilNextRun());
                        continue;
                    }
                    for (Job job : claimed) {
                        workers.run(
                                slotFree -> {
                                    try {
                                        runner.run(job, job.traceParent(), slotFree);
                                    } catch (RuntimeException e) {
                                        // the outcome could not be recorded (database gone): the lease lapses and the
                                        // job runs again
                                        log.warn("Recording the outcome of job {} failed: {}", job.id(), e.toString());
                                    }
                                },
                                this::wakeOne);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    // why: claims pause while PostgreSQL is unreachable and resume by themselves; one WARN per outage
                    DatabaseOutages.report(log, "Claiming " + type + " jobs (retrying after the poll interval)", e);
                    sleepQuietly(config.pollInterval());
                }
            }
        }

        /** Sleep until the next delayed job is due, at most one poll interval. */
        private Duration untilNextRun() {
            Optional<Instant> next = claims.nextRunAt(type);
            return next.isEmpty() ? config.pollInterval() : until(Duration.between(Instant.now(), next.get()));
        }

        /** {@code d}, but at least 10 ms and at most one poll interval. */
        private Duration until(Duration d) {
            Duration poll = config.pollInterval();
            return d.compareTo(poll) > 0 ? poll : (d.toMillis() < 10 ? Duration.ofMillis(10) : d);
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
            try {
                if (fetcher != null) {
                    fetcher.join(Duration.ofNanos(Math.max(1, deadlineNanos - System.nanoTime())));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            workers.awaitIdle(deadlineNanos);
        }

        void interrupt() {
            if (!workers.isIdle()) {
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
