package io.chute.job;

import io.chute.common.DatabaseOutages;
import io.chute.config.ChuteProperties;
import io.chute.node.NodeHeartbeat;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Crash recovery in seconds rather than a lease: every heartbeat of this node, the jobs that
 * workers of dead nodes (no heartbeat for {@code chute.nodes.dead-after}) were running are taken
 * back in one conditional update ({@link Jobs#takeBackFromDeadNodes}) and handed to the queue
 * again (a {@code NOTIFY}, or an outbox row on RabbitMQ). The crash does not use up an attempt;
 * the {@code chute.jobs.max-crashes}-th crash of one job fails it. Runs on every node, so a
 * cluster whose only other worker died still recovers its jobs as soon as a worker is back. The
 * lease ({@code chute.jobs.lease}) stays as the net for a worker that is alive but stuck.
 */
final class DeadNodeRecovery implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeadNodeRecovery.class);

    private final Jobs jobs;
    private final JobRunner runner;
    private final JobQueue queue;
    private final TransactionTemplate tx;
    private final String self;
    private final Duration deadAfter;
    private final int maxCrashes;
    private final ScheduledExecutorService timer;

    DeadNodeRecovery(
            Jobs jobs,
            JobRunner runner,
            JobQueue queue,
            TransactionTemplate tx,
            NodeHeartbeat heartbeat,
            ChuteProperties properties) {
        this.jobs = jobs;
        this.runner = runner;
        this.queue = queue;
        this.tx = tx;
        this.self = heartbeat.node().value();
        this.deadAfter = heartbeat.deadAfter();
        this.maxCrashes = properties.jobs().maxCrashes();
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("chute-dead-nodes").daemon().factory());
        long every = properties.nodes().heartbeat().toMillis();
        timer.scheduleWithFixedDelay(this::quietly, every, every, TimeUnit.MILLISECONDS);
    }

    /** Takes back the jobs of dead nodes; returns how many. */
    int takeBack() {
        List<Job> taken = tx.execute(s -> {
            List<Job> recovered = jobs.takeBackFromDeadNodes(self, deadAfter, maxCrashes);
            for (Job job : recovered) {
                if (job.status() == JobStatus.RETRYING) {
                    queue.submitted(job);
                } else {
                    runner.failParentOf(job, job.status());
                }
            }
            return recovered;
        });
        if (taken == null || taken.isEmpty()) {
            return 0;
        }
        for (Job job : taken) {
            if (job.status() == JobStatus.FAILED) {
                log.warn("Job {} FAILED: {}", job.id(), job.error());
            }
        }
        log.warn(
                "Took back {} jobs whose worker's node stopped heartbeating ({} ago at least): {}",
                taken.size(),
                deadAfter,
                taken.stream().map(j -> j.id().toString()).toList());
        return taken.size();
    }

    private void quietly() {
        try {
            takeBack();
        } catch (RuntimeException e) {
            DatabaseOutages.report(log, "Taking back the jobs of dead nodes", e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
