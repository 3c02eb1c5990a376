package io.chute.processing;

import io.chute.job.PermanentJobFailure;

/**
 * The file itself is bad (unsupported, corrupt, too large to decode safely, infected): retrying
 * cannot help, so the job that meets it goes straight to {@code REJECTED} with this message as
 * the reason. Anything else a processor throws is treated as transient and retried.
 */
public class UnprocessableFileException extends PermanentJobFailure {

    public UnprocessableFileException(String reason) {
        super(reason);
    }

    public UnprocessableFileException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
