package io.chute.job;

import io.chute.config.ChuteProperties;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One job type's worker threads on this node, and how many of them are active: between
 * {@code chute.jobs.min-workers} (at least one) and the type's concurrency, one more when the
 * queue depth exceeds active × 10, one fewer when it falls under active × 5. Both queue adapters
 * follow this rule; each measures the depth its own way.
 *
 * <p>A slot is taken while a job's handler runs, not while its outcome is written: a finished job frees its slot as
 * soon as its handler has returned (see {@link #run}), and its thread waits for the outcome's commit (a group commit
 * shared with other jobs) while the next job of the slot already runs on another thread. So each slot has two threads,
 * and a claim no longer waits for the commit of the job before it (bench/noop-jobs.sh at concurrency 8: 0.61 of bare
 * claim+complete SQL before, 0.94 after).
 */
public final class WorkerPool {

    private final String type;
    private final int min;
    private final int max;
    private final int threadCount;
    private final ExecutorService threads;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger held = new AtomicInteger();
    private volatile int active;

    public WorkerPool(String type, ChuteProperties.Jobs config) {
        int concurrency = config.concurrencyOf(type);
        this.type = type;
        this.min = Math.max(1, Math.min(config.minWorkers(), concurrency));
        this.max = Math.max(this.min, concurrency);
        this.active = this.min;
        this.threadCount = 2 * max;
        this.threads = Executors.newFixedThreadPool(
                threadCount, Thread.ofPlatform().name("chute-" + type + "-", 0).factory());
    }

    public String type() {
        return type;
    }

    /** Worker slots in use now: how many jobs of this type may run at once. */
    public int active() {
        return active;
    }

    /** Active slots per job type, for {@code JobQueue.activeWorkers}. */
    public static Map<String, Integer> activeByType(Collection<WorkerPool> pools) {
        Map<String, Integer> active = new TreeMap<>();
        pools.forEach(pool -> active.put(pool.type, pool.active));
        return active;
    }

    /** Adds or removes one active slot for a queue {@code depth}; true when it added one. */
    public boolean follow(long depth) {
        int now = active;
        if (depth > now * 10L && now < max) {
            active = now + 1;
            return true;
        }
        if (depth < now * 5L && now > min) {
            active = now - 1;
        }
        return false;
    }

    /**
     * How many more jobs may start now: free slots (active ones whose job's handler is not running), and no more than
     * the threads left, so a claimed job never waits for a thread.
     */
    public int free() {
        return Math.max(0, Math.min(active - running.get(), threadCount - held.get()));
    }

    /**
     * Runs a claimed job on one of the threads, on a slot: {@code job} is given the slot's release, which it calls once
     * its handler has returned (before it writes the outcome); the slot is released at the latest when {@code job}
     * ends. {@code freed} is called after each release and again when the thread is free, to wake whoever waits for
     * {@link #free}. Once the pool is shutting down the job runs on the calling thread, rather than waiting out its
     * lease.
     */
    public void run(Consumer<Runnable> job, Runnable freed) {
        running.incrementAndGet();
        held.incrementAndGet();
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                running.decrementAndGet();
                freed.run();
            }
        };
        Runnable task = () -> {
            try {
                job.accept(release);
            } finally {
                held.decrementAndGet();
                if (released.compareAndSet(false, true)) {
                    running.decrementAndGet();
                }
                freed.run();
            }
        };
        try {
            threads.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /** Takes no more jobs and waits until the running ones end or the deadline passes; true if they all ended. */
    public boolean awaitIdle(long deadlineNanos) {
        threads.shutdown();
        try {
            return threads.awaitTermination(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public boolean isIdle() {
        return threads.isTerminated();
    }

    /** Interrupts whatever still runs. */
    public void shutdownNow() {
        threads.shutdownNow();
    }
}
