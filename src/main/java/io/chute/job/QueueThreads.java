package io.chute.job;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A queue adapter's own background work, started and stopped together: one long-running thread
 * (listening for notifications, or connecting to the broker) and a periodic tick (scaling the
 * worker pools to the queue depth). Both are daemons; stopping interrupts the thread and cancels
 * the tick.
 */
public final class QueueThreads {

    private final Thread thread;
    private final ScheduledExecutorService ticks;

    private QueueThreads(Thread thread, ScheduledExecutorService ticks) {
        this.thread = thread;
        this.ticks = ticks;
    }

    public static QueueThreads start(String threadName, Runnable loop, String tickName, Duration every, Runnable tick) {
        Thread thread = Thread.ofPlatform().name(threadName).daemon().start(loop);
        ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name(tickName).daemon().factory());
        ticks.scheduleWithFixedDelay(tick, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return new QueueThreads(thread, ticks);
    }

    public void stop() {
        ticks.shutdownNow();
        thread.interrupt();
    }
}
