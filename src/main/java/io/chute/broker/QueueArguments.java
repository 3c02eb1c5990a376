package io.chute.broker;

import java.util.HashMap;
import java.util.Map;

/**
 * The RabbitMQ queue arguments the job queue and the event bus share. Each call returns a new,
 * mutable map, so a caller can add its own arguments (a TTL, a single active consumer).
 */
public final class QueueArguments {

    private QueueArguments() {}

    /** A replicated, durable quorum queue. */
    public static Map<String, Object> quorum() {
        Map<String, Object> args = new HashMap<>();
        args.put("x-queue-type", "quorum");
        return args;
    }

    /**
     * A quorum queue with at-least-once dead-lettering into {@code exchange}: the source queue
     * keeps a dead letter until the target queue has confirmed it, so nothing vanishes between
     * the two. RabbitMQ requires {@code reject-publish} overflow for it.
     */
    public static Map<String, Object> deadLetteringTo(String exchange) {
        Map<String, Object> args = quorum();
        args.put("x-dead-letter-exchange", exchange);
        args.put("x-dead-letter-strategy", "at-least-once");
        args.put("x-overflow", "reject-publish");
        return args;
    }
}
