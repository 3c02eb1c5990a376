package io.chute.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.socket.WebSocketSession;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a node knows of its socket users' memberships ({@link Gateway#follows}, behind {@link
 * Events#followedHere}): read from the directory when a user's first socket opens, then told by
 * the {@code join} and {@code leave} events, forgotten with the user's last socket.
 */
class GatewayMembershipTest {

    private final LocalEventBus bus = new LocalEventBus();
    private final UUID user = UUID.randomUUID();
    private final UUID member = UUID.randomUUID();
    private final UUID other = UUID.randomUUID();
    private final Gateway gateway = new Gateway(
            bus,
            u -> u.equals(user) ? Set.of(member) : Set.of(),
            List.of(),
            JsonMapper.builder().build(),
            new SimpleMeterRegistry());

    @AfterEach
    void close() {
        bus.close();
    }

    @Test
    void aUserWithASocketHereFollowsTheChannelsTheDirectoryGave() {
        assertThat(gateway.follows(user, member)).as("before any socket").isFalse();

        Socket socket = socket("s1");
        gateway.open(socket);

        assertThat(gateway.follows(user, member)).isTrue();
        assertThat(gateway.follows(user, other)).isFalse();
        assertThat(gateway.follows(UUID.randomUUID(), member))
                .as("a user without a socket here")
                .isFalse();

        gateway.close(socket);
        assertThat(gateway.follows(user, member))
                .as("after the last socket closed")
                .isFalse();
    }

    @Test
    void joinAndLeaveEventsChangeWhatTheNodeKnowsAtOnce() {
        gateway.open(socket("s1"));
        Events events = new Events(bus, null, JsonMapper.builder().build(), "n", gateway::follows);

        gateway.deliver(control(BusEvent.LEAVE, member));
        assertThat(events.followedHere(user, member)).isFalse();

        gateway.deliver(control(BusEvent.JOIN, other));
        assertThat(events.followedHere(user, other)).isTrue();
    }

    private BusEvent control(String type, UUID channel) {
        return new BusEvent(Route.user(user), type, null, "{\"channelId\":\"" + channel + "\"}", null);
    }

    private Socket socket(String id) {
        WebSocketSession session = (WebSocketSession) Proxy.newProxyInstance(
                WebSocketSession.class.getClassLoader(),
                new Class<?>[] {WebSocketSession.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getId" -> id;
                    case "isOpen" -> true;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> null;
                });
        return new Socket(session, user, 10, s -> {}, () -> {});
    }
}
