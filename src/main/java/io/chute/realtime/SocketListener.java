package io.chute.realtime;

import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * Socket lifecycle on this node, for presence and delivery receipts. Called on the gateway node
 * that holds the socket; implementations must return quickly.
 */
public interface SocketListener {

    default void opened(UUID userId, String socketId) {}

    default void closed(UUID userId, String socketId) {}

    /** A durable event of {@code type} (e.g. {@code message.created}) was written to one of {@code userId}'s sockets. */
    default void delivered(UUID userId, String type, JsonNode data) {}
}
