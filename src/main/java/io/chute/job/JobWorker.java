package io.chute.job;

import io.chute.common.DatabaseOutages;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The worker role: starts the queue's delivery to the runner, keeps leases alive, takes back
 * jobs of dead workers, and drains on shutdown (up to {@code chute.jobs.shutdown-grace}, then the
 * rest are released to other workers).
 */
class JobWorker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobWorker.class);

    private final JobQueue queue;
    private final JobRunner runner;
    private volatile boolean running;
    private ScheduledExecutorService leases;

    JobWorker(JobQueue queue, JobRunner runner) {
        this.queue = queue;
        this.runner = runner;
    }

    @Override
    public void start() {
        runner.attach(queue);
        runner.metrics().serving(runner.types(), runner.config()::concurrencyOf);
        queue.start(runner);
        long beat = Math.max(200, runner.config().lease().toMillis() / 3);
        leases = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("chute-job-leases").daemon().factory());
        leases.scheduleWithFixedDelay(() -> quietly("heartbeat", runner::heartbeat), beat, beat, TimeUnit.MILLISECONDS);
        leases.scheduleWithFixedDelay(
                () -> quietly("lease recovery", runner::recoverExpiredLeases), beat, beat, TimeUnit.MILLISECONDS);
        running = true;
        log.info(
                "Job worker {} serving {} from the {} queue; concurrency per type {}",
                runner.workerId(),
                runner.types(),
                queue.name(),
                queue.activeWorkers());
    }

    @Override
    public void stop() {
        running = false;
        queue.stop(runner.config().shutdownGrace());
        leases.shutdownNow();
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

    private static void quietly(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            DatabaseOutages.report(log, "Job " + what, e);
        }
    }
}
