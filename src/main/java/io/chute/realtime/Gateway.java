package io.chute.realtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.TextMessage;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * This node's sockets and its bus bindings. A user's route is bound while the user has a socket
 * here; a channel's route is bound while at least one socket here follows the channel (a
 * reference count per channel, unbound at zero). Events from the bus reach exactly the local
 * sockets of their route, each once.
 *
 * <p>Opening and closing a user's sockets and their membership changes are serialised per user,
 * and reference counts per channel (locks striped by id, always a user's before a channel's), so
 * a bind and an unbind of the same route never cross while different users connect in parallel.
 * Delivery reads the maps without locks.
 */
final class Gateway {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final EventBus bus;
    private final ChannelDirectory directory;
    private final List<SocketListener> listeners;
    private final JsonMapper json;

    private final Map<UUID, Set<Socket>> byUser = new ConcurrentHashMap<>();
    private final Map<UUID, Set<Socket>> byChannel = new ConcurrentHashMap<>();
    // guarded by the user's lock: the channels each connected user follows on this node
    private final Map<UUID, Set<UUID>> channelsOfUser = new ConcurrentHashMap<>();
    private final Object[] userLocks = stripes();
    private final Object[] channelLocks = stripes();

    private static Object[] stripes() {
        Object[] locks = new Object[256];
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
        return locks;
    }

    private static Object lockOf(Object[] locks, UUID id) {
        return locks[Math.floorMod(id.hashCode(), locks.length)];
    }

    private final Counter eventsIn;
    private final Counter eventsOut;
    private final Counter dropped;

    Gateway(
            EventBus bus,
            ChannelDirectory directory,
            List<SocketListener> listeners,
            JsonMapper json,
            MeterRegistry meters) {
        this.bus = bus;
        this.directory = directory;
        this.listeners = List.copyOf(listeners);
        this.json = json;
        Gauge.builder("chute.gateway.connections", this, Gateway::connections)
                .description("WebSockets open on this node")
                .register(meters);
        Gauge.builder("chute.gateway.bindings", this, g -> g.byUser.size() + g.byChannel.size())
                .description("routes bound to this node's bus queue")
                .register(meters);
        this.eventsIn = Counter.builder("chute.gateway.events.in")
                .description("events received from the bus")
                .register(meters);
        this.eventsOut = Counter.builder("chute.gateway.events.out")
                .description("frames written to sockets")
                .register(meters);
        this.dropped = Counter.builder("chute.gateway.send.dropped")
                .description("sockets closed because their send queue was full")
                .register(meters);
    }

    int connections() {
        return byUser.values().stream().mapToInt(Set::size).sum();
    }

    Runnable sentCounter() {
        return eventsOut::increment;
    }

    void overflowed(Socket socket) {
        dropped.increment();
        log.info("closing socket {} of user {}: its send queue is full", socket.id, socket.userId);
        socket.close(Socket.TOO_SLOW);
    }

    /**
     * The bus lost events on their way here (an outage of RabbitMQ): every socket is closed with
     * 4503, and its client reconnects with {@code since} and gets what it missed from the replay log.
     */
    void eventsMissed() {
        List<Socket> all = byUser.values().stream().flatMap(Set::stream).toList();
        if (!all.isEmpty()) {
            log.warn(
                    "The event bus may have missed events; closing {} sockets so that they resume with since",
                    all.size());
        }
        all.forEach(socket -> socket.close(Socket.EVENTS_MISSED));
    }

    /** Registers an authenticated socket; returns the routes it follows (for the replay). */
    Set<Route> open(Socket socket) {
        UUID user = socket.userId;
        synchronized (lockOf(userLocks, user)) {
            return openLocked(socket, user);
        }
    }

    private Set<Route> openLocked(Socket socket, UUID user) {
        Set<Socket> sockets = byUser.get(user);
        if (sockets == null) {
            // why: bind the user's route before asking for their channels, so a join published meanwhile is not missed
            bus.bind(Route.user(user));
            sockets = ConcurrentHashMap.newKeySet();
            byUser.put(user, sockets);
            channelsOfUser.put(user, ConcurrentHashMap.newKeySet());
            channelsOfUser.get(user).addAll(directory.channelsOf(user));
        }
        sockets.add(socket);
        for (UUID channel : channelsOfUser.get(user)) {
            follow(channel, socket);
        }
        listeners.forEach(l -> l.opened(user, socket.id));
        return routesOfLocked(user);
    }

    void close(Socket socket) {
        UUID user = socket.userId;
        synchronized (lockOf(userLocks, user)) {
            closeLocked(socket, user);
        }
    }

    private void closeLocked(Socket socket, UUID user) {
        Set<Socket> sockets = byUser.get(user);
        if (sockets == null || !sockets.remove(socket)) {
            return;
        }
        for (UUID channel : channelsOfUser.getOrDefault(user, Set.of())) {
            unfollow(channel, socket);
        }
        if (sockets.isEmpty()) {
            byUser.remove(user);
            channelsOfUser.remove(user);
            bus.unbind(Route.user(user));
        }
        listeners.forEach(l -> l.closed(user, socket.id));
    }

    private Set<Route> routesOfLocked(UUID user) {
        Set<Route> routes = new HashSet<>();
        routes.add(Route.user(user));
        channelsOfUser.getOrDefault(user, Set.of()).forEach(c -> routes.add(Route.channel(c)));
        return routes;
    }

    /**
     * Whether {@code userId} has a socket open here that follows {@code channelId}: membership as this
     * node knows it, read when the user's first socket opened and kept current by the {@code join} and
     * {@code leave} events since. Lock-free; false when the user has no socket here.
     */
    boolean follows(UUID userId, UUID channelId) {
        Set<UUID> channels = channelsOfUser.get(userId);
        return channels != null && channels.contains(channelId);
    }

    /** Receives every event routed to this node, on the bus's delivery thread. */
    void deliver(BusEvent event) {
        eventsIn.increment();
        if (event.isControl()) {
            control(event);
            return;
        }
        Route route = event.route();
        Set<Socket> sockets = (route.isUser() ? byUser : byChannel).get(route.id());
        if (sockets == null || sockets.isEmpty()) {
            return;
        }
        // why: the frame is made once per event and the same message goes to every socket, however many
        TextMessage frame = new TextMessage(Frames.event(event.type(), event.seq(), event.data()));
        JsonNode[] parsed = new JsonNode[1];
        for (Socket socket : sockets) {
            if (socket.userId.equals(event.except())) {
                continue;
            }
            socket.event(
                    event.seq(),
                    frame,
                    event.seq() == null || listeners.isEmpty()
                            ? null
                            : () -> {
                                JsonNode data;
                                synchronized (parsed) {
                                    if (parsed[0] == null) {
                                        parsed[0] = json.readTree(event.data());
                                    }
                                    data = parsed[0];
                                }
                                listeners.forEach(l -> l.delivered(socket.userId, event.type(), data));
                            });
        }
    }

    private void control(BusEvent event) {
        UUID user = event.route().id();
        synchronized (lockOf(userLocks, user)) {
            controlLocked(event, user);
        }
    }

    private void controlLocked(BusEvent event, UUID user) {
        Set<UUID> channels = channelsOfUser.get(user);
        if (channels == null) {
            return;
        }
        UUID channel =
                UUID.fromString(json.readTree(event.data()).path("channelId").asString());
        Set<Socket> sockets = byUser.getOrDefault(user, Set.of());
        if (BusEvent.JOIN.equals(event.type()) && channels.add(channel)) {
            sockets.forEach(s -> follow(channel, s));
        } else if (BusEvent.LEAVE.equals(event.type()) && channels.remove(channel)) {
            sockets.forEach(s -> unfollow(channel, s));
        }
    }

    private void follow(UUID channel, Socket socket) {
        synchronized (lockOf(channelLocks, channel)) {
            Set<Socket> followers = byChannel.computeIfAbsent(channel, c -> ConcurrentHashMap.newKeySet());
            if (followers.isEmpty()) {
                bus.bind(Route.channel(channel));
            }
            followers.add(socket);
        }
    }

    private void unfollow(UUID channel, Socket socket) {
        synchronized (lockOf(channelLocks, channel)) {
            Set<Socket> followers = byChannel.get(channel);
            if (followers != null && followers.remove(socket) && followers.isEmpty()) {
                byChannel.remove(channel);
                bus.unbind(Route.channel(channel));
            }
        }
    }
}
