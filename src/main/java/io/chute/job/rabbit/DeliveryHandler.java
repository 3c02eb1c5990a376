package io.chute.job.rabbit;

import io.chute.job.Job;
import io.chute.job.JobId;
import io.chute.job.JobRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The acknowledgement policy: turns each delivery into at most one run, and settles it only once
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

    /**
     * Claims what {@code deliveries} (at most one per free worker slot) stand for, in as few
     * statements as the type allows, and runs each claimed job through {@code slots}, which hands
     * it to a worker slot along with the slot's release ({@link io.chute.job.WorkerPool#run}). A
     * delivery that claims nothing is settled at once.
     */
    void handle(List<Delivery> deliveries, Consumer<Consumer<Runnable>> slots) {
        List<Delivery> pending = new ArrayList<>(deliveries.size());
        for (Delivery d : deliveries) {
            if (!running.getAsBoolean()) {
                d.requeue(); // stopping: another worker takes it
            } else if (d.jobId() == null) {
                log.warn("Dead-lettering a {} message that is not a job id", d.type());
                d.reject();
            } else {
                pending.add(d);
            }
        }
        while (!pending.isEmpty()) {
            String type = pending.getFirst().type();
            int starts;
            try {
                starts = awaitStarts(type, pending.size());
            } catch (RuntimeException e) {
                // the rate's bucket is in the database: most likely unreachable
                log.warn(
                        "Taking starts of {} failed; {} deliveries go back to the queue: {}",
                        type,
                        pending.size(),
                        e.toString());
                pending.forEach(Delivery::requeue);
                pause(pauseAfterFailure);
                return;
            }
            if (starts == 0) {
                pending.forEach(Delivery::requeue); // stopping while waiting for the type's rate
                return;
            }
            List<Delivery> now = List.copyOf(pending.subList(0, starts));
            pending.subList(0, starts).clear();
            Map<JobId, Job> claimed;
            try {
                claimed = claim(now, type);
            } catch (RuntimeException e) {
                // most likely the database is unreachable: give the deliveries back and slow down
                log.warn(
                        "Claiming {} delivered {} jobs failed; they go back to the queue: {}",
                        now.size(),
                        type,
                        e.toString());
                refund(type, starts);
                now.forEach(Delivery::requeue);
                pause(pauseAfterFailure);
                continue;
            }
            refund(type, starts - claimed.size());
            Set<JobId> taken = new HashSet<>();
            for (Delivery d : now) {
                Job job = taken.add(d.jobId()) ? claimed.get(d.jobId()) : null;
                if (job == null) {
                    passedOver(d);
                } else {
                    if (!job.id().equals(d.jobId())) {
                        relay.wake(); // the delivered job, still waiting, got a fresh message in the claim
                    }
                    slots.accept(slotFree -> run(d, job, slotFree));
                }
            }
        }
    }

    private void refund(String type, int unused) {
        try {
            runner.rates().refund(type, unused);
        } catch (RuntimeException e) {
            log.debug("Giving back {} starts of {} failed: {}", unused, type, e.toString());
        }
    }

    /** A delivery that claimed nothing: its job, if it still waits, gets a message for later. */
    private void passedOver(Delivery d) {
        // why: a runnable job can be passed over (its owner at its limit, or its row locked by a concurrent
        // claim that then took another job): it comes round again after a pause, so it never loses its message
        try {
            if (outbox.addIfNotYetDue(d.jobId()) || outbox.addIfRunnableLater(d.jobId(), pauseAfterFailure)) {
                relay.wake();
            }
            d.ack();
        } catch (RuntimeException e) {
            log.warn("Handling the delivery of job {} failed; it goes back to the queue: {}", d.jobId(), e.toString());
            d.requeue();
        }
    }

    /** Runs a job claimed under delivery {@code d} and settles the delivery; on a worker slot. */
    private void run(Delivery d, Job job, Runnable slotFree) {
        try {
            // why: the claim may hand over another job of the type than the one delivered; only the delivered one has
            // this header
            String traceParent =
                    job.id().equals(d.jobId()) && d.traceParent() != null ? d.traceParent() : job.traceParent();
            settle(d, d.jobId(), job, runner.run(job, traceParent, slotFree));
        } catch (RuntimeException e) {
            // most likely the database is unreachable: give the delivery back and slow down
            log.warn("Handling the delivery of job {} failed; it goes back to the queue: {}", d.jobId(), e.toString());
            pause(pauseAfterFailure);
            d.requeue();
        }
    }

    /**
     * The claim for deliveries of {@code type}: one statement for all of them, or, with a per-owner
     * limit, one per delivery. The room per owner is counted when a claim starts, so a batch would
     * see the same room for all its jobs; claimed one at a time by this node's one claimer per type,
     * the limit stays exact on one node (as on the PostgreSQL queue).
     */
    private Map<JobId, Job> claim(List<Delivery> deliveries, String type) {
        Integer ownerLimit = runner.config().ownerConcurrencyOf(type);
        if (ownerLimit == null) {
            return claims.claimDelivered(
                    deliveries.stream().map(Delivery::jobId).toList(), type, runner.workerId());
        }
        Map<JobId, Job> claimed = new HashMap<>();
        for (Delivery d : deliveries) {
            if (!claimed.containsKey(d.jobId())) {
                claims.claimDelivered(d.jobId(), type, runner.workerId(), ownerLimit)
                        .ifPresent(job -> claimed.put(d.jobId(), job));
            }
        }
        return claimed;
    }

    /**
     * Takes up to {@code wanted} starts of {@code type} from its rate, waiting while none is free
     * (the deliveries stay unacknowledged meanwhile, so the broker sends no more than the prefetch);
     * 0 if the queue stopped first.
     */
    private int awaitStarts(String type, int wanted) {
        int starts;
        while ((starts = runner.rates().acquire(type, wanted)) == 0) {
            if (!running.getAsBoolean()) {
                return 0;
            }
            Duration wait = runner.rates().untilNext(type).plusMillis(1);
            pause(wait.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : wait);
        }
        return starts;
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
