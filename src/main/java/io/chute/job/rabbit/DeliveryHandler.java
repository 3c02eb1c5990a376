package io.chute.job.rabbit;

import io.chute.job.Job;
import io.chute.job.JobId;
import io.chute.job.JobRunner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The acknowledgement policy: turns one delivery into at most one run, and settles it only once
 * the outcome is committed and any follow-up message (a retry's delayed delivery) is in the
 * outbox. If this node dies first, the broker delivers it again and the conditional claim makes
 * that harmless. A FAILED job's delivery is rejected into the dead-letter queue.
 */
final class DeliveryHandler {

    private static final Logger log = LoggerFactory.getLogger(DeliveryHandler.class);

    private final DeliveryClaims claims;
    private final JobOutbox outbox;
    private final OutboxRelay relay;
    private final JobRunner runner;
    private final Duration pauseAfterFailure;
    private final BooleanSupplier running;
    private final Map<String, Object> ownerLimited = new ConcurrentHashMap<>();

    DeliveryHandler(
            DeliveryClaims claims,
            JobOutbox outbox,
            OutboxRelay relay,
            JobRunner runner,
            Duration pauseAfterFailure,
            BooleanSupplier running) {
        this.claims = claims;
        this.outbox = outbox;
        this.relay = relay;
        this.runner = runner;
        this.pauseAfterFailure = pauseAfterFailure;
        this.running = running;
    }

    void handle(Delivery d) {
        if (!running.getAsBoolean()) {
            d.requeue(); // stopping: another worker takes it
            return;
        }
        JobId id;
        try {
            id = new JobId(UUID.fromString(new String(d.body(), StandardCharsets.US_ASCII)));
        } catch (IllegalArgumentException e) {
            log.warn("Dead-lettering a {} message that is not a job id", d.type());
            d.reject();
            return;
        }
        try {
            if (!awaitStart(d.type())) {
                d.requeue(); // stopping while waiting for the type's rate
                return;
            }
            Integer ownerLimit = runner.config().ownerConcurrencyOf(d.type());
            Optional<Job> claimed = claim(id, d.type(), ownerLimit);
            if (claimed.isEmpty()) {
                runner.rates().refund(d.type(), 1);
                // why: a runnable job can be passed over (its owner at its limit, or its row locked by a concurrent
                // claim that then took another job): it comes round again after a pause, so it never loses its message
                if (outbox.addIfNotYetDue(id) || outbox.addIfRunnableLater(id, pauseAfterFailure)) {
                    relay.wake();
                }
                d.ack();
                return;
            }
            Job job = claimed.get();
            if (!job.id().equals(id)) {
                relay.wake(); // the delivered job, still waiting, got a fresh message in the claim
            }
            // why: the claim may hand over another job of the type than the one delivered; only the delivered one has
            // this header
            settle(
                    d,
                    id,
                    job,
                    runner.run(
                            job, job.id().equals(id) && d.traceParent() != null ? d.traceParent() : job.traceParent()));
        } catch (RuntimeException e) {
            // most likely the database is unreachable: give the delivery back and slow down
            log.warn("Handling the delivery of job {} failed; it goes back to the queue: {}", id, e.toString());
            pause(pauseAfterFailure);
            d.requeue();
        }
    }

    /**
     * The claim for a delivery. With a per-owner limit, this node's consumers of the type claim one
     * at a time: the room per owner is counted when a claim starts, so concurrent claims would all
     * see the same room (as on the PostgreSQL queue, one claimer per type per node).
     */
    private Optional<Job> claim(JobId id, String type, Integer ownerLimit) {
        if (ownerLimit == null) {
            return claims.claimDelivered(id, type, runner.workerId(), null);
        }
        synchronized (ownerLimited.computeIfAbsent(type, t -> new Object())) {
            return claims.claimDelivered(id, type, runner.workerId(), ownerLimit);
        }
    }

    /**
     * Takes a start of {@code type} from its rate, waiting while none is free (the delivery stays
     * unacknowledged meanwhile, so the broker sends this consumer nothing else); false if the
     * queue stopped first.
     */
    private boolean awaitStart(String type) {
        while (runner.rates().acquire(type, 1) == 0) {
            if (!running.getAsBoolean()) {
                return false;
            }
            Duration wait = runner.rates().untilNext(type).plusMillis(1);
            pause(wait.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : wait);
        }
        return true;
    }

    private void settle(Delivery d, JobId delivered, Job job, JobRunner.Outcome outcome) {
        switch (outcome) {
            case COMPLETED, REJECTED -> d.ack();
            case RETRYING, LOST -> {
                // a retry's next attempt, or a job released at shutdown, waits for a new message
                if (outbox.addIfWaiting(job.id())) {
                    relay.wake();
                }
                d.ack();
            }
            case FAILED -> {
                if (job.id().equals(delivered)) {
                    d.reject();
                } else {
                    outbox.addDead(job);
                    relay.wake();
                    d.ack();
                }
            }
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
