package io.chute.job;

import java.util.Map;
import java.util.Set;

/**
 * Does the work of one job type. Runs on a worker thread under a lease; must be idempotent
 * (write outputs at deterministic keys such as {@code processed/{jobId}/{name}}) because a job
 * can run again after a crash or a lost lease. Throw
 * {@link PermanentJobFailure} when the input itself is bad (the job
 * is rejected, not retried); any other exception is a transient failure and is retried.
 */
public interface JobHandler {

    /** The job types this handler serves, e.g. {@code image}; each gets its own queue and concurrency. */
    Set<String> types();

    Result handle(Job job, Progress progress) throws Exception;

    record Result(Map<String, Output> outputs, Map<String, Object> metadata) {
        public Result {
            outputs = Map.copyOf(outputs);
            metadata = Map.copyOf(metadata);
        }
    }

    /** Lets a long job report how far it got (0-100). */
    @FunctionalInterface
    interface Progress {
        void report(int percent);
    }
}
