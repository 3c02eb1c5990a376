package io.chute.realtime;

import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * Handles client frames of some types ({@code message.send}, {@code typing}, {@code read}). The
 * return value becomes the data of the {@code ack} (null for none), and a
 * {@link java.util.concurrent.CompletionStage} acks with its value once it completes (the socket
 * reads its next frame meanwhile); an
 * {@link io.chute.common.ApiException} becomes {@code {type:"error", id, data:{status, detail}}}.
 * Runs on the socket's reader thread: return quickly.
 */
public interface FrameHandler {

    Set<String> types();

    Object handle(UUID userId, String type, JsonNode data);
}
