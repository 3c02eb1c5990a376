package io.chute.job;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for job completions: workers hand in finished jobs and wait; one thread writes
 * whatever has queued up meanwhile in a single statement and transaction. Under load many
 * completions share one commit; alone, a completion is written at once (no added delay).
 */
final class CompletionBatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CompletionBatcher.class);
    private static final int MAX_BATCH = 256;

    private record Pending(Jobs.Completion completion, CompletableFuture<Boolean> done) {}

    private final Jobs jobs;
    private final java.util.function.Consumer<Job> released;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean open = true;

    /** {@code released} receives each job that waited on completed ones and can now run. */
    CompletionBatcher(Jobs jobs, java.util.function.Consumer<Job> released) {
        this.jobs = jobs;
        this.released = released;
        this.writer = Thread.ofPlatform().name("chute-job-complete").daemon().start(this::writeLoop);
    }

    /** Completes a claimed job; true if it was still this worker's to complete. Blocks until written. */
    boolean complete(Jobs.Completion completion) throws InterruptedException {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        queue.put(new Pending(completion, done));
        try {
            return done.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        while (open || !queue.isEmpty()) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                if (!open) {
                    break;
                }
                continue;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            try {
                Set<UUID> completed =
                        jobs.completeAll(batch.stream().map(Pending::completion).toList());
                for (Pending p : batch) {
                    p.done()
                            .complete(completed.contains(
                                    p.completion().claimed().id().value()));
                }
                release(completed);
            } catch (RuntimeException e) {
                log.warn("Writing {} job completions failed: {}", batch.size(), e.toString());
                batch.forEach(p -> p.done().completeExceptionally(e));
            }
            batch.clear();
        }
    }

    /** One query per batch, not one per job, finds the jobs these completions release. */
    private void release(Set<UUID> completed) {
        try {
            jobs.releasedByAny(completed).forEach(released);
        } catch (RuntimeException e) {
            // the poll of the PostgreSQL queue (or the broker's safety net) still finds them
            log.warn("Releasing the jobs waiting on {} completed jobs failed: {}", completed.size(), e.toString());
        }
    }

    @Override
    public void close() {
        open = false;
        writer.interrupt();
    }
}
