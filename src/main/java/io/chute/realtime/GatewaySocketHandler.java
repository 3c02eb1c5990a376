package io.chute.realtime;

import io.chute.auth.CurrentUser;
import io.chute.auth.Tokens;
import io.chute.common.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code /ws} protocol of API.md: authentication (query token or first {@code auth} frame
 * within the auth timeout, close 4401 otherwise and when the token expires), replay with
 * {@code ?since=}, JSON envelopes with {@code ack}/{@code error} replies, {@code ping}/{@code pong},
 * a frame rate limit, and idle detection (protocol pings, close 4408 when nothing is heard).
 */
final class GatewaySocketHandler extends TextWebSocketHandler implements HandshakeInterceptor {

    private static final Logger log = LoggerFactory.getLogger(GatewaySocketHandler.class);

    static final CloseStatus UNAUTHORIZED = new CloseStatus(4401, "unauthorized");
    static final CloseStatus IDLE = new CloseStatus(4408, "idle");
    static final CloseStatus BAD_SINCE = new CloseStatus(4400, "bad since");
    private static final String TOKEN = "chute.token";
    private static final String SINCE = "chute.since";
    private static final int REPLAY_LIMIT = 10_000;

    private final Gateway gateway;
    private final EventLog eventLog;
    private final JwtDecoder tokens;
    private final Map<String, FrameHandler> handlers = new HashMap<>();
    private final JsonMapper json;
    private final Settings settings;
    private final ScheduledExecutorService timers;
    private final Map<String, Socket> sockets = new ConcurrentHashMap<>();
    private final Map<String, RateWindow> rates = new ConcurrentHashMap<>();
    private final Map<String, StringBuilder> partial = new ConcurrentHashMap<>();

    record Settings(
            Duration authTimeout,
            Duration idleTimeout,
            int sendQueue,
            Duration sendTimeout,
            int framesPerSecond,
            int maxFrameChars,
            String nodeId) {}

    GatewaySocketHandler(
            Gateway gateway,
            EventLog eventLog,
            JwtDecoder tokens,
            List<FrameHandler> frameHandlers,
            JsonMapper json,
            Settings settings,
            ScheduledExecutorService timers) {
        this.gateway = gateway;
        this.eventLog = eventLog;
        this.tokens = tokens;
        this.json = json;
        this.settings = settings;
        this.timers = timers;
        for (FrameHandler h : frameHandlers) {
            for (String type : h.types()) {
                if (handlers.putIfAbsent(type, h) != null
                        || Set.of("auth", "ping").contains(type)) {
                    throw new IllegalStateException("two handlers for frame type " + type);
                }
            }
        }
        long sweep = Math.max(1, settings.idleTimeout().toMillis() / 3);
        timers.scheduleWithFixedDelay(this::sweepIdle, sweep, sweep, TimeUnit.MILLISECONDS);
    }

    // --- handshake: keep the query parameters for after the upgrade

    @Override
    public boolean beforeHandshake(
            ServerHttpRequest request,
            ServerHttpResponse response,
            WebSocketHandler handler,
            Map<String, Object> attributes) {
        var query = UriComponentsBuilder.fromUri(request.getURI()).build().getQueryParams();
        String token = query.getFirst("access_token");
        String since = query.getFirst("since");
        if (token != null) {
            attributes.put(TOKEN, token);
        }
        if (since != null) {
            attributes.put(SINCE, since);
        }
        return true;
    }

    @Override
    public void afterHandshake(
            ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler, Exception exception) {}

    // --- connection lifecycle

    @Override
    public void afterConnectionEstablished(WebSocketSession session) throws Exception {
        if (session instanceof NativeWebSocketSession n
                && n.getNativeSession() instanceof jakarta.websocket.Session s) {
            // why: a client that stops reading blocks its sender thread for at most this long, then is dropped
            s.getUserProperties()
                    .put(
                            "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT",
                            settings.sendTimeout().toMillis());
        }
        Object token = session.getAttributes().get(TOKEN);
        if (token != null) {
            authenticate(session, (String) token, null);
        } else {
            timers.schedule(
                    () -> {
                        if (session.isOpen() && !sockets.containsKey(session.getId())) {
                            closeQuietly(session, UNAUTHORIZED);
                        }
                    },
                    settings.authTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        rates.remove(session.getId());
        partial.remove(session.getId());
        Socket socket = sockets.remove(session.getId());
        if (socket != null) {
            gateway.close(socket);
            socket.close(status);
        }
    }

    @Override
    public void handleTransportError(WebSocketSession session, Throwable exception) {
        log.debug("socket {} transport error: {}", session.getId(), exception.toString());
    }

    // --- frames

    /**
     * Frames arrive in pieces of the container's small buffer and are put together here, up to
     * {@code maxFrameChars}: memory per socket follows what it sends, not the largest frame allowed.
     */
    @Override
    public boolean supportsPartialMessages() {
        return true;
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        String payload = message.getPayload();
        if (!message.isLast() || partial.containsKey(session.getId())) {
            StringBuilder assembled = partial.computeIfAbsent(session.getId(), k -> new StringBuilder());
            if (assembled.length() + payload.length() > settings.maxFrameChars()) {
                partial.remove(session.getId());
                closeQuietly(session, CloseStatus.TOO_BIG_TO_PROCESS);
                return;
            }
            assembled.append(payload);
            if (!message.isLast()) {
                return;
            }
            payload = partial.remove(session.getId()).toString();
        }
        handleFrame(session, payload);
    }

    private void handleFrame(WebSocketSession session, String payload) {
        Socket socket = sockets.get(session.getId());
        if (socket != null) {
            socket.heard();
        }
        JsonNode frame;
        try {
            frame = json.readTree(payload);
        } catch (JacksonException e) {
            reply(session, socket, Frames.reply("error", null, errorData(400, "a frame must be a JSON object")));
            return;
        }
        String id = frame.path("id").isValueNode() ? frame.path("id").asString() : null;
        String type = frame.path("type").isString() ? frame.path("type").asString() : "";
        if (socket == null) {
            if (type.equals("auth") && frame.path("token").isString()) {
                authenticate(session, frame.path("token").asString(), id);
            } else {
                closeQuietly(session, UNAUTHORIZED);
            }
            return;
        }
        if (!rates.computeIfAbsent(session.getId(), k -> new RateWindow()).allow(settings.framesPerSecond())) {
            socket.reply(Frames.reply("error", id, errorData(429, "too many frames; slow down")));
            return;
        }
        switch (type) {
            case "ping" -> socket.reply(Frames.reply("pong", id, null));
            case "auth" -> socket.reply(Frames.reply("ack", id, null));
            default -> dispatch(socket, id, type, frame.path("data"));
        }
    }

    @Override
    protected void handlePongMessage(WebSocketSession session, PongMessage message) {
        Socket socket = sockets.get(session.getId());
        if (socket != null) {
            socket.heard();
        }
    }

    private void dispatch(Socket socket, String id, String type, JsonNode data) {
        FrameHandler handler = handlers.get(type);
        if (handler == null) {
            socket.reply(Frames.reply("error", id, errorData(400, "unknown frame type '" + abbreviate(type) + "'")));
            return;
        }
        try {
            Object result = handler.handle(socket.userId, type, data);
            if (result instanceof java.util.concurrent.CompletionStage<?> pending) {
                // why: the reader goes on to the next frame; the ack (or error) follows when the work is done
                pending.whenComplete((value, error) -> {
                    Throwable cause =
                            error instanceof java.util.concurrent.CompletionException c ? c.getCause() : error;
                    if (cause instanceof ApiException e) {
                        socket.reply(
                                Frames.reply("error", id, errorData(e.status().value(), e.getMessage())));
                    } else if (cause != null) {
                        log.warn("frame {} of user {} failed", type, socket.userId, cause);
                        socket.reply(Frames.reply(
                                "error", id, errorData(503, "the frame could not be handled now; try again")));
                    } else if (id != null) {
                        socket.reply(Frames.reply("ack", id, value == null ? null : json.writeValueAsString(value)));
                    }
                });
                return;
            }
            if (id != null) {
                socket.reply(Frames.reply("ack", id, result == null ? null : json.writeValueAsString(result)));
            }
        } catch (ApiException e) {
            socket.reply(Frames.reply("error", id, errorData(e.status().value(), e.getMessage())));
        } catch (RuntimeException e) {
            log.warn("frame {} of user {} failed", type, socket.userId, e);
            socket.reply(Frames.reply("error", id, errorData(500, "the frame could not be handled")));
        }
    }

    private void authenticate(WebSocketSession session, String token, String frameId) {
        Jwt jwt;
        try {
            jwt = tokens.decode(token);
        } catch (JwtException e) {
            closeQuietly(session, UNAUTHORIZED);
            return;
        }
        Long since;
        try {
            Object raw = session.getAttributes().get(SINCE);
            since = raw == null ? null : Long.parseLong((String) raw);
            if (since != null && since < 0) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            closeQuietly(session, BAD_SINCE);
            return;
        }
        CurrentUser user = Tokens.caller(jwt);
        Socket socket =
                new Socket(session, user.id(), settings.sendQueue(), gateway::overflowed, gateway.sentCounter());
        sockets.put(session.getId(), socket);
        if (frameId != null) {
            socket.reply(Frames.reply("ack", frameId, null));
        }
        Instant expires = jwt.getExpiresAt();
        if (expires != null) {
            long delay = Math.max(0, Duration.between(Instant.now(), expires).toMillis());
            socket.expiresWith(
                    timers.schedule(() -> closeQuietly(session, UNAUTHORIZED), delay, TimeUnit.MILLISECONDS));
        }
        Set<Route> routes = gateway.open(socket);
        long latest = eventLog.latest();
        List<EventLog.Entry> missed =
                since == null ? List.of() : eventLog.since(since, routes, user.id(), REPLAY_LIMIT);
        boolean complete = since == null || (since + 1 >= eventLog.oldestKept() && missed.size() < REPLAY_LIMIT);
        socket.replayed(missed, e -> Frames.event(e.type(), e.seq(), e.data()));
        ObjectNode ready = json.createObjectNode()
                .put("userId", user.id().toString())
                .put("nodeId", settings.nodeId())
                .put("latestSeq", latest)
                .put("replayed", missed.size())
                .put("complete", complete);
        socket.reply(Frames.reply("ready", null, ready.toString()));
        if (!session.isOpen()) {
            afterConnectionClosed(session, CloseStatus.NORMAL);
        }
    }

    private void sweepIdle() {
        Instant now = Instant.now();
        for (Socket socket : sockets.values()) {
            Duration quiet = Duration.between(socket.lastHeard(), now);
            if (quiet.compareTo(settings.idleTimeout()) > 0) {
                socket.close(IDLE);
            } else if (quiet.compareTo(settings.idleTimeout().dividedBy(3)) > 0) {
                socket.ping();
            }
        }
    }

    private void reply(WebSocketSession session, Socket socket, String frame) {
        if (socket != null) {
            socket.reply(frame);
        } else {
            closeQuietly(session, UNAUTHORIZED);
        }
    }

    private String errorData(int status, String detail) {
        return json.createObjectNode()
                .put("status", status)
                .put("detail", detail)
                .toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    private static void closeQuietly(WebSocketSession session, CloseStatus status) {
        try {
            session.close(status);
        } catch (Exception e) {
            log.debug("closing {}: {}", session.getId(), e.toString());
        }
    }

    /** Frames per second per socket, in one-second windows. */
    private static final class RateWindow {
        private long second;
        private int count;

        synchronized boolean allow(int limit) {
            long now = System.nanoTime() / 1_000_000_000L;
            if (now != second) {
                second = now;
                count = 0;
            }
            return ++count <= limit;
        }
    }
}
