package io.chute.realtime;

import tools.jackson.databind.JsonNode;

/**
 * Consumes commands submitted with {@link Events#submit} under its {@link #kind()}, on nodes with
 * the worker role. Delivery is at least once and, on one bus, in submission order: a handler must
 * be idempotent. Throwing has the command delivered again later.
 */
public interface IncomingHandler {

    String kind();

    void handle(JsonNode command) throws Exception;

    /**
     * Handles consecutive commands of this kind, in order, in the caller's transaction. Override
     * it to do a batch's work with a few statements instead of a few per command.
     */
    default void handleAll(java.util.List<JsonNode> commands) throws Exception {
        for (JsonNode command : commands) {
            handle(command);
        }
    }
}
