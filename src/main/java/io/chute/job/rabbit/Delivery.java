package io.chute.job.rabbit;

import io.chute.job.JobId;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * One delivery of a job type's work queue, settled through the {@link ChannelAcks} of the channel
 * it came from: after a channel is replaced, its delivery tags mean nothing on the new one.
 * {@code traceParent} is the message's W3C header, set by the relay's publish span (null outside a
 * trace).
 */
record Delivery(String type, ChannelAcks acks, long tag, byte[] body, String traceParent) {

    /** The job id the message carries; null for a message that is not one. */
    JobId jobId() {
        try {
            return new JobId(UUID.fromString(new String(body, StandardCharsets.US_ASCII)));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** False once its channel is closed: the broker has put the message back, and its tag means nothing. */
    boolean settleable() {
        return acks.open();
    }

    void ack() {
        acks.ack(tag);
    }

    /** Into the dead-letter queue. */
    void reject() {
        acks.reject(tag);
    }

    /** Back to the queue, for any consumer. */
    void requeue() {
        acks.requeue(tag);
    }
}
