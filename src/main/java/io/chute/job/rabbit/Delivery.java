package io.chute.job.rabbit;

import com.rabbitmq.client.Channel;
import io.chute.job.JobId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One delivery of a job type's work queue, settled on the channel it came from: after a channel
 * is replaced, its delivery tags mean nothing on the new one. {@code traceParent} is the message's W3C
 * header, set by the relay's publish span (null outside a trace).
 */
record Delivery(String type, Channel channel, long tag, byte[] body, String traceParent) {

    private static final Logger log = LoggerFactory.getLogger(Delivery.class);

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
        return channel.isOpen();
    }

    void ack() {
        settle("acknowledge", () -> channel.basicAck(tag, false));
    }

    /** Into the dead-letter queue. */
    void reject() {
        settle("reject", () -> channel.basicReject(tag, false));
    }

    /** Back to the queue, for any consumer. */
    void requeue() {
        settle("return", () -> channel.basicNack(tag, false, true));
    }

    private void settle(String what, IoAction action) {
        try {
            action.run();
        } catch (IOException | RuntimeException e) {
            // the channel or connection is gone: the broker delivers it again, and its claim finds it done
            log.debug("Could not {} a {} delivery: {}", what, type, e.toString());
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }
}
