package io.chute.job;

/**
 * A failure that retrying cannot fix: the job goes straight to {@code REJECTED} with this
 * message as its reason. Any other exception from a {@link JobHandler} is retried.
 */
public class PermanentJobFailure extends RuntimeException {

    public PermanentJobFailure(String reason) {
        super(reason);
    }

    public PermanentJobFailure(String reason, Throwable cause) {
        super(reason, cause);
    }
}
