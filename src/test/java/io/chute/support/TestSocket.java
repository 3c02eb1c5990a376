package io.chute.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import tools.jackson.databind.json.JsonMapper;

/**
 * A WebSocket client that is not Chute's: the JDK's {@link java.net.http.WebSocket}, speaking
 * the documented {@code /ws} protocol. Every server frame is kept, in arrival order.
 */
public final class TestSocket implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final List<Map<String, Object>> frames = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket socket;

    private TestSocket(URI uri) {
        this.socket = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, new Listener())
                .orTimeout(20, TimeUnit.SECONDS)
                .join();
    }

    /** Connects with the token in the query ({@code since} may be null) and waits for {@code ready}. */
    public static TestSocket connect(URI base, String token, Long since) {
        TestSocket s = open(base, "access_token=" + token + (since == null ? "" : "&since=" + since));
        s.awaitFrame(f -> "ready".equals(f.get("type")));
        return s;
    }

    /** Connects without authenticating: the caller sends the {@code auth} frame, or not. */
    public static TestSocket open(URI base, String query) {
        URI http = base.resolve("/ws" + (query == null || query.isEmpty() ? "" : "?" + query));
        return new TestSocket(URI.create(http.toString().replaceFirst("^http", "ws")));
    }

    public void send(Map<String, Object> frame) {
        sendText(JSON.writeValueAsString(frame));
    }

    public void sendText(String text) {
        socket.sendText(text, true).orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** Every frame received so far. */
    public List<Map<String, Object>> frames() {
        return new ArrayList<>(frames);
    }

    /** The frames of one type received so far, in order. */
    public List<Map<String, Object>> frames(String type) {
        return frames.stream().filter(f -> type.equals(f.get("type"))).toList();
    }

    /** Waits up to 30 s for a frame that matches, and returns the first one. */
    public Map<String, Object> awaitFrame(Predicate<Map<String, Object>> matches) {
        return Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> frames.stream().filter(matches).findFirst(), java.util.Optional::isPresent)
                .orElseThrow();
    }

    /** The close code the server sent, waiting up to {@code timeout}. */
    public int awaitClose(Duration timeout) {
        return closed.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye")
                    .orTimeout(10, TimeUnit.SECONDS)
                    .exceptionally(e -> null)
                    .join();
        }
        socket.abort();
    }

    /** Drops the connection without a close handshake, as a crashed client or a lost network would. */
    public void abort() {
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                @SuppressWarnings("unchecked")
                Map<String, Object> frame = JSON.readValue(partial.toString(), Map.class);
                frames.add(frame);
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }
    }
}
