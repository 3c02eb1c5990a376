package io.chute.realtime;

import io.chute.common.AfterCommit;
import io.chute.common.ApiException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one way features send events to sockets, whichever node they run on.
 *
 * <p>Durable events ({@link #publish}) are appended to the replay log, which gives them their
 * {@code seq}, in the caller's transaction when there is one, and go on the bus once that
 * transaction commits: an event is never seen for a change that was rolled back. Ephemeral
 * events ({@link #signal}) go on the bus at once and are never replayed.
 */
public class Events {

    private final EventBus bus;
    private final EventLog log;
    private final JsonMapper json;
    private final String nodeId;
    private final java.util.function.BiPredicate<UUID, UUID> followedHere;

    Events(EventBus bus, EventLog log, JsonMapper json, String nodeId) {
        this(bus, log, json, nodeId, (user, channel) -> false);
    }

    Events(
            EventBus bus,
            EventLog log,
            JsonMapper json,
            String nodeId,
            java.util.function.BiPredicate<UUID, UUID> followedHere) {
        this.bus = bus;
        this.log = log;
        this.json = json;
        this.nodeId = nodeId;
        this.followedHere = followedHere;
    }

    /**
     * True when a socket of {@code userId} open on this node follows {@code channel.{channelId}}: the user
     * was a member when the socket opened, or joined since, and no {@link #leave} has reached this node
     * since. It lags a committed membership change by the bus's delivery time, so it answers "certainly
     * not removed before that"; false says nothing (no socket here, a node without the gateway role, or
     * a join not delivered yet): ask the database.
     */
    public boolean followedHere(UUID userId, UUID channelId) {
        return followedHere.test(userId, channelId);
    }

    /** Logs a durable event and routes it to every socket subscribed to {@code route}, after commit. */
    public void publish(Route route, String type, Object data) {
        requireType(type);
        String payload = json.writeValueAsString(data);
        long seq = log.append(route, type, payload);
        AfterCommit.run(() -> bus.publish(new BusEvent(route, type, seq, payload, null)));
    }

    /** A durable event for {@link #publish(List)}. */
    public record Publication(Route route, String type, Object data) {}

    /** Like {@link #publish(Route, String, Object)} for many events, appended to the replay log with one statement. */
    public void publish(List<Publication> publications) {
        publications.forEach(p -> requireType(p.type()));
        publishAll(publications.stream()
                .map(p -> new EventLog.NewEntry(p.route(), p.type(), json.writeValueAsString(p.data())))
                .toList());
    }

    /** Logs and routes many durable events with one statement. */
    void publishAll(List<EventLog.NewEntry> entries) {
        List<Long> seqs = log.appendAll(entries);
        AfterCommit.run(() -> {
            for (int i = 0; i < entries.size(); i++) {
                EventLog.NewEntry e = entries.get(i);
                bus.publish(new BusEvent(e.route(), e.type(), seqs.get(i), e.data(), e.except()));
            }
        });
    }

    /** Routes an ephemeral event (no seq, never replayed); {@code exceptUserId}'s sockets do not get it. */
    public void signal(Route route, String type, Object data, UUID exceptUserId) {
        requireType(type);
        bus.publish(new BusEvent(route, type, null, json.writeValueAsString(data), exceptUserId));
    }

    /** Every socket of {@code userId}, on every node, starts receiving {@code channel.{channelId}}. */
    public void join(UUID userId, UUID channelId) {
        control(BusEvent.JOIN, userId, channelId);
    }

    /** Every socket of {@code userId}, on every node, stops receiving {@code channel.{channelId}} at once. */
    public void leave(UUID userId, UUID channelId) {
        control(BusEvent.LEAVE, userId, channelId);
    }

    /** Queues {@code command} for the {@link IncomingHandler} of {@code kind} on the worker tier. */
    public void submit(String kind, Object command) {
        submit(kind, null, command);
    }

    /** As {@link #submitAsync}, returning once the bus holds the command (after commit, in a transaction). */
    public void submit(String kind, UUID orderKey, Object command) {
        Objects.requireNonNull(kind, "kind");
        String payload = json.writeValueAsString(command);
        AfterCommit.run(() -> await(bus.submit(kind, orderKey == null ? null : orderKey.toString(), payload)));
    }

    /**
     * Queues {@code command} without waiting: the future completes once the bus holds it durably,
     * or fails with an {@link ApiException}. Commands with the same {@code orderKey} (a channel)
     * submitted one after the other are handled in that order. Call it outside a transaction.
     */
    public CompletableFuture<Void> submitAsync(String kind, UUID orderKey, Object command) {
        Objects.requireNonNull(kind, "kind");
        return bus.submit(kind, orderKey == null ? null : orderKey.toString(), json.writeValueAsString(command));
    }

    private static void await(CompletableFuture<Void> submitted) {
        try {
            submitted.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof ApiException api) {
                throw api;
            }
            throw e;
        }
    }

    /** This node's id, also the suffix of its bus queue {@code chute.gateway.{nodeId}}. */
    public String nodeId() {
        return nodeId;
    }

    /** The event bus this node routes events over: "local" or "rabbitmq". */
    public String transport() {
        return bus.transport();
    }

    private void control(String type, UUID userId, UUID channelId) {
        String payload = json.writeValueAsString(Map.of("channelId", channelId));
        AfterCommit.run(() -> bus.publish(new BusEvent(Route.user(userId), type, null, payload, null)));
    }

    private static void requireType(String type) {
        if (type == null || type.isBlank() || type.startsWith("_")) {
            throw new IllegalArgumentException("bad event type: " + type);
        }
    }
}
