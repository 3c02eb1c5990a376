package io.chute.realtime;

import java.util.function.Consumer;

/**
 * Cross-node routing of light events, and the lane that takes commands to the worker tier. Both
 * adapters (one node: {@link LocalEventBus}; across nodes: {@link RabbitEventBus}) pass
 * {@code EventBusContract}; what follows is what a caller can rely on, whichever runs.
 *
 * <p>Outgoing: {@link #publish} sends an event once; it reaches the receiver of every node that has
 * bound the event's route ({@code user.{id}} and {@code channel.{id}} are distinct routes), and no
 * other node. Delivery to one node follows publication order for events published by one thread.
 * The bus keeps no history: an event published while no node holds its route is dropped, and
 * binding the route later does not bring it back (the replay log in PostgreSQL is what a
 * reconnecting client catches up from). A receiver that throws loses that one event. Bindings are
 * not counted: binding a route twice and unbinding it once unbinds it; counting the sockets that
 * need a route is the {@link Gateway}'s business.
 *
 * <p>Incoming: {@link #submit} queues a command for the worker tier, at least once.
 * <ul>
 *   <li>When the future completes normally, the command will be handled (at least once: handlers
 *       are idempotent). When it fails, with an {@link io.chute.common.ApiException} 503 carrying
 *       {@code retryAfterSeconds}, the bus did not take it and it will not be handled; the caller
 *       may submit it again.
 *   <li>A handler that throws never fails the submitter's future: the bus delivers the command
 *       again after a pause, up to a delivery limit (20), after which RabbitMQ dead-letters it to
 *       {@code chute.chat-worker.dead} and the local bus, which has nowhere to keep it, logs and
 *       drops it.
 *   <li>Commands with the same {@code orderKey} submitted one after the other from one thread are
 *       handled in that order, except that a command delivered again may come after commands
 *       submitted later.
 * </ul>
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
     * Queues a command for the worker tier. The future completes once the bus holds it (on
     * RabbitMQ durably; the local bus has run it once by then) and fails with an
     * {@link io.chute.common.ApiException} 503 when it cannot take it; never because its handler
     * failed. Commands with the same {@code orderKey} submitted one after the other from one thread
     * are queued in that order even when the caller does not wait in between.
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
