package io.chute.job;

import java.time.Duration;
import java.util.Map;

/**
 * Delivers runnable jobs to this node's workers. The jobs table stays the truth of every job's
 * state; a queue only decides who runs what next, and carries job ids, never file bytes.
 * Delivery is at least once: the {@link JobRunner} turns a delivery into a lease with a
 * conditional update, so a duplicate or late delivery does nothing.
 *
 * <p>Adapters: {@code job.postgres.PostgresJobQueue} (the table itself, {@code SKIP LOCKED}
 * claims woken by {@code LISTEN/NOTIFY}) and {@code job.rabbit.RabbitJobQueue} (job ids through
 * RabbitMQ, written to an outbox in the submitting transaction, each delivery claimed with
 * {@code DeliveryClaims.claimDelivered}). Both follow {@link WorkerPool}'s scaling rule and
 * claim what {@link JobSql#RUNNABLE} selects. Contract: {@code JobQueueContract}.
 */
public interface JobQueue {

    /**
     * Call inside the transaction that made {@code job} runnable (created, retried, taken back,
     * its children done): it is delivered after that transaction commits, not before its
     * {@code runAt}.
     */
    void submitted(Job job);

    /** Starts delivering jobs of the runner's types; at most the type's concurrency run at once on this node. */
    void start(JobRunner runner);

    /** Stops taking jobs, then waits up to {@code grace} for the running ones to finish. */
    void stop(Duration grace);

    /** Worker threads currently active per job type on this node. */
    Map<String, Integer> activeWorkers();

    /** A short name for logs and the admin view, e.g. "postgres". */
    String name();
}
