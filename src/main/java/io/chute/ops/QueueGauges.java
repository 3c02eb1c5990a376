package io.chute.ops;

import io.chute.job.JobRunner;
import io.chute.job.JobStatus;
import io.chute.job.Jobs;
import io.chute.job.rabbit.JobOutbox;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * {@code jobs_queue_depth{type,status}} and {@code jobs_outbox_lag_seconds}, read from the jobs
 * table (the truth of every job, whichever queue delivers it) and the outbox. One grouped query
 * serves every series of a scrape, and its answer is kept for {@link #TTL}, so scrapes of many
 * series or many Prometheus servers cost one query at most that often. FAILED jobs are the
 * dead-letter queue.
 */
@Component
class QueueGauges {

    private static final Logger log = LoggerFactory.getLogger(QueueGauges.class);
    static final Duration TTL = Duration.ofSeconds(5);
    static final Set<JobStatus> WATCHED =
            EnumSet.of(JobStatus.PENDING, JobStatus.RETRYING, JobStatus.PROCESSING, JobStatus.FAILED);

    private final Jobs jobs;
    private final JobOutbox outbox;
    private Snapshot snapshot = new Snapshot(Map.of(), Double.NaN, 0);

    QueueGauges(Jobs jobs, JobOutbox outbox, JobRunner runner, MeterRegistry meters) {
        this.jobs = jobs;
        this.outbox = outbox;
        for (String type : runner.types()) {
            for (JobStatus status : WATCHED) {
                String key = key(type, status.name());
                Gauge.builder("jobs.queue.depth", this, g -> g.current().depthOf(key))
                        .description("jobs by type and status (FAILED: the dead-letter queue)")
                        .tag("type", type)
                        .tag("status", status.name())
                        .register(meters);
            }
        }
        Gauge.builder("jobs.outbox.lag", this, g -> g.current().outboxLagSeconds())
                .baseUnit("seconds")
                .description("age of the oldest job message not yet handed to the broker (0 when none)")
                .register(meters);
    }

    private synchronized Snapshot current() {
        long now = System.nanoTime();
        if (now - snapshot.takenAt() < TTL.toNanos() && snapshot.takenAt() != 0) {
            return snapshot;
        }
        try {
            snapshot = new Snapshot(Map.copyOf(jobs.countByTypeAndStatus(WATCHED)), outbox.oldestAgeSeconds(), now);
        } catch (RuntimeException e) {
            // why: a scrape while the database is down must not fail the whole endpoint; the gauges read NaN until it
            // is back
            log.debug("Queue depth not read: {}", e.toString());
            snapshot = new Snapshot(null, Double.NaN, now);
        }
        return snapshot;
    }

    private static String key(String type, String status) {
        return type + "/" + status;
    }

    /** {@code depth} is null when the database did not answer. */
    private record Snapshot(Map<String, Long> depth, double outboxLagSeconds, long takenAt) {
        double depthOf(String key) {
            return depth == null ? Double.NaN : depth.getOrDefault(key, 0L);
        }
    }
}
