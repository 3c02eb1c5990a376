package io.chute.realtime;

import java.util.UUID;

/**
 * One event on the bus. {@code data} is the event's JSON, kept as text so that a node serialises
 * it once however many sockets it reaches. {@code seq} is the replay-log position of a durable
 * event, null for an ephemeral one (typing, presence) and for control events. {@code except}
 * names a user whose sockets must not get it (a typing user does not see their own typing).
 */
record BusEvent(Route route, String type, Long seq, String data, UUID except) {

    /** Control events start with an underscore: they change a node's subscriptions and are never sent to a socket. */
    static final String JOIN = "_join";

    static final String LEAVE = "_leave";

    boolean isControl() {
        return type.startsWith("_");
    }
}
