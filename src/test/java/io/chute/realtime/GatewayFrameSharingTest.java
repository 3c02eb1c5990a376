package io.chute.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import tools.jackson.databind.json.JsonMapper;

/**
 * An event reaching many sockets of a node is made into a frame once: every socket is handed the
 * same message, not a copy serialised for it. Sockets here write to sessions that record what
 * they are given (the gateway's side of the socket, without a network).
 */
class GatewayFrameSharingTest {

    private final LocalEventBus bus = new LocalEventBus();
    private final UUID channel = UUID.randomUUID();
    private final Gateway gateway = new Gateway(
            bus, user -> Set.of(channel), List.of(), JsonMapper.builder().build(), new SimpleMeterRegistry());

    @AfterEach
    void close() {
        bus.close();
    }

    @Test
    void anEventForManySocketsIsOneFrameSharedByAll() {
        List<RecordingSession> sessions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RecordingSession session = new RecordingSession("s" + i);
            sessions.add(session);
            live(new Socket(session.proxy(), UUID.randomUUID(), 10, s -> {}, () -> {}));
        }
        String data = "{\"id\":\"m1\",\"content\":\"héllo\"}";

        gateway.deliver(new BusEvent(Route.channel(channel), "message.created", 42L, data, null));

        await().atMost(Duration.ofSeconds(10)).until(() -> sessions.stream().allMatch(s -> s.sent.size() == 1));
        WebSocketMessage<?> first = sessions.getFirst().sent.getFirst();
        assertThat(first).isInstanceOf(TextMessage.class);
        assertThat(((TextMessage) first).getPayload())
                .isEqualTo("{\"type\":\"message.created\",\"seq\":42,\"data\":" + data + "}");
        for (RecordingSession s : sessions) {
            assertThat(s.sent.getFirst()).as("the frame given to %s", s.id).isSameAs(first);
        }
    }

    @Test
    void twoEventsAreTwoFramesInOrderOnEverySocket() {
        List<RecordingSession> sessions = List.of(new RecordingSession("a"), new RecordingSession("b"));
        sessions.forEach(s -> live(new Socket(s.proxy(), UUID.randomUUID(), 10, x -> {}, () -> {})));

        gateway.deliver(new BusEvent(Route.channel(channel), "message.created", 1L, "{\"n\":1}", null));
        gateway.deliver(new BusEvent(Route.channel(channel), "message.created", 2L, "{\"n\":2}", null));

        await().atMost(Duration.ofSeconds(10)).until(() -> sessions.stream().allMatch(s -> s.sent.size() == 2));
        for (int i = 0; i < 2; i++) {
            assertThat(sessions.get(1).sent.get(i))
                    .isSameAs(sessions.get(0).sent.get(i));
        }
        assertThat(((TextMessage) sessions.get(0).sent.get(1)).getPayload()).contains("\"seq\":2");
    }

    /** Registers {@code socket} as the handler does, with nothing to replay, so it is live. */
    private void live(Socket socket) {
        gateway.open(socket);
        socket.replayed(List.of(), e -> "");
    }

    /** An open session that records every message written to it. */
    private static final class RecordingSession {
        private final String id;
        private final List<WebSocketMessage<?>> sent = new CopyOnWriteArrayList<>();

        RecordingSession(String id) {
            this.id = id;
        }

        WebSocketSession proxy() {
            return (WebSocketSession) Proxy.newProxyInstance(
                    WebSocketSession.class.getClassLoader(),
                    new Class<?>[] {WebSocketSession.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "getId" -> id;
                        case "isOpen" -> true;
                        case "sendMessage" -> {
                            sent.add((WebSocketMessage<?>) args[0]);
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        case "toString" -> "session " + id;
                        default -> null;
                    });
        }
    }
}
