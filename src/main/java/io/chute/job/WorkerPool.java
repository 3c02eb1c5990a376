package io.chute.job;

import io.chute.config.ChuteProperties;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One job type's worker threads on this node, and how many of them are active: between
 * {@code chute.jobs.min-workers} (at least one) and the type's concurrency, one more when the
 * queue depth exceeds active × 10, one fewer when it falls under active × 5. Both queue adapters
 * follow this rule; each measures the depth its own way.
 */
public final class WorkerPool {

    private final String type;
    private final int min;
    private final int max;
    private final ExecutorService threads;
    private volatile int active;

    public WorkerPool(String type, ChuteProperties.Jobs config) {
        int concurrency = config.concurrencyOf(type);
        this.type = type;
        this.min = Math.max(1, Math.min(config.minWorkers(), concurrency));
        this.max = Math.max(this.min, concurrency);
        this.active = this.min;
        this.threads = Executors.newFixedThreadPool(
                max, Thread.ofPlatform().name("chute-" + type + "-", 0).factory());
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

    /** Runs a delivered job on one of the threads; rejected once the pool is shutting down. */
    public void execute(Runnable job) {
        threads.execute(job);
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
