package io.chute.realtime;

import java.util.Objects;
import java.util.UUID;

/**
 * A routing key on {@code chute.outgoing}: {@code user.{uuid}} or {@code channel.{uuid}}. A node
 * receives an event only while its queue is bound with the event's route.
 */
public record Route(String key) {

    public Route {
        Objects.requireNonNull(key, "key");
        if (!key.startsWith("user.") && !key.startsWith("channel.")) {
            throw new IllegalArgumentException("not a route: " + key);
        }
    }

    public static Route user(UUID userId) {
        return new Route("user." + userId);
    }

    public static Route channel(UUID channelId) {
        return new Route("channel." + channelId);
    }

    boolean isUser() {
        return key.startsWith("user.");
    }

    /** The user or channel id the route names. */
    UUID id() {
        return UUID.fromString(key.substring(key.indexOf('.') + 1));
    }

    @Override
    public String toString() {
        return key;
    }
}
