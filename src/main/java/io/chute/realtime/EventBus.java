package io.chute.realtime;

import java.util.function.Consumer;

/**
 * Cross-node routing of light events. Outgoing: {@link #publish} sends an event once; it reaches
 * the receiver of every node that has bound the event's route, and no other node. Incoming:
 * {@link #submit} queues a command for the worker tier, at least once.
 *
 * <p>Delivery to one node follows publication order for events published by one thread. The
 * bus keeps no history: an event published while no node holds its route is dropped (the replay
 * log in PostgreSQL is what a reconnecting client catches up from).
 */
interface EventBus extends AutoCloseable {

    /** Starts receiving: {@code receiver} gets every event whose route this node has bound, on one thread at a time. */
    void start(Consumer<BusEvent> receiver);

    /** Starts consuming submitted commands (worker role); a command whose handler throws comes back later. */
    void consumeIncoming(IncomingDispatcher dispatcher);

    void publish(BusEvent event);

    /**
     * {@code listener} runs when events may have missed this node's sockets: the bus connection was
     * lost and is back, or publishing failed and works again. Every durable event is in the replay
     * log, so the gateway has its sockets resume from there.
     */
    default void onMissed(Runnable listener) {}

    /** Routes {@code route} to this node from now on. Idempotent. */
    void bind(Route route);

    /** Stops routing {@code route} to this node. Idempotent. */
    void unbind(Route route);

    /**
     * Queues a command for the worker tier. The future completes once the bus holds it durably
     * (fails with an {@link io.chute.common.ApiException} 503 when it cannot). Commands with the
     * same {@code orderKey} submitted one after the other from one thread are queued in that
     * order even when the caller does not wait in between.
     */
    java.util.concurrent.CompletableFuture<Void> submit(String kind, String orderKey, String json);

    /** "local" or "rabbitmq", for the start-up report and metrics. */
    String transport();

    @Override
    void close();

    /**
     * Runs a batch of submitted commands, in order, as one unit (one transaction): either all
     * took effect or it throws, and the bus delivers them again (one by one, to isolate a bad one).
     */
    @FunctionalInterface
    interface IncomingDispatcher {
        void dispatch(java.util.List<Incoming> batch) throws Exception;
    }
}
