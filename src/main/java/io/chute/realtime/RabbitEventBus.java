package io.chute.realtime;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.chute.broker.QueueArguments;
import io.chute.broker.RabbitBroker;
import io.chute.common.ApiException;
import io.chute.job.JobTracing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;

/**
 * The bus across nodes, as RabbitMQ bindings:
 *
 * <pre>
 * chute.outgoing (direct) --user.{id} / channel.{id}--> chute.gateway.{nodeId}
 *                        exclusive, auto-delete: one per gateway node, gone with its connection
 * chute.incoming (direct) --command--> chute.chat-worker            lane 0
 *                        --command.1--> chute.chat-worker.1          lane 1, ... up to workerLanes - 1
 *                        durable quorum queues, one active consumer each (a lane's commands run in
 *                        submission order), delivery limit, dead letters to chute.incoming.dlx -> chute.chat-worker.dead
 * </pre>
 *
 * <p>A command goes to the lane its order key hashes to (a message's channel), so one key's commands
 * stay in order while the lanes are consumed in parallel, each by its own thread and transactions.
 *
 * A node binds a route while it has a socket that needs it and unbinds it when the last one goes,
 * so an event is published once and reaches only the nodes that need it; no lookup table exists.
 * Outgoing events are transient and unconfirmed (the replay log is their durable copy); submitted
 * commands are persistent and confirmed before {@link #submit} returns.
 */
final class RabbitEventBus implements EventBus {

    private static final Logger log = LoggerFactory.getLogger(RabbitEventBus.class);

    static final String OUTGOING = "chute.outgoing";
    static final String INCOMING = "chute.incoming";
    static final String WORKER_QUEUE = "chute.chat-worker";
    static final String DEAD_EXCHANGE = "chute.incoming.dlx";
    static final String DEAD_QUEUE = "chute.chat-worker.dead";
    static final String COMMAND_KEY = "command";
    private static final String SEQ = "chute-seq";
    private static final String EXCEPT = "chute-except";
    private static final String KIND = "chute-kind";
    private static final int CONFIRM_CHANNELS = 8;
    private static final int PREFETCH = 256;
    private static final int BATCH = 128;

    private final RabbitBroker broker;
    private final JobTracing tracing;
    private final int lanes;
    private final String queue;
    private final Connection publishing;
    private final Channel events;
    private final ConfirmingChannel[] confirmChannels = new ConfirmingChannel[CONFIRM_CHANNELS];
    private Connection consuming;
    // why: binds of different routes run in parallel; one route always uses the same channel, so its binds and unbinds
    // stay in order
    private final Channel[] bindings = new Channel[8];
    private Connection working;
    private volatile boolean closed;
    private volatile Runnable missed = () -> {};
    private final java.util.concurrent.atomic.AtomicBoolean publishFailed =
            new java.util.concurrent.atomic.AtomicBoolean();

    RabbitEventBus(RabbitBroker broker, String nodeId) {
        this(broker, nodeId, JobTracing.none(), 1);
    }

    RabbitEventBus(RabbitBroker broker, String nodeId, JobTracing tracing, int lanes) {
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes must be positive");
        }
        this.lanes = lanes;
        this.tracing = tracing;
        this.broker = broker;
        this.queue = "chute.gateway." + nodeId;
        try {
            this.publishing = broker.connect("chute-bus-publish-" + nodeId, true);
            this.events = publishing.createChannel();
            whenRecovered(publishing);
            declareShared(events, lanes);
            for (int i = 0; i < CONFIRM_CHANNELS; i++) {
                confirmChannels[i] = new ConfirmingChannel(publishing);
            }
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException("cannot connect the event bus to RabbitMQ at " + broker, e);
        }
    }

    @Override
    public void onMissed(Runnable listener) {
        this.missed = listener;
    }

    /** Events published while a connection was down never reached this node's queue (or left this node). */
    private void whenRecovered(Connection connection) {
        if (connection instanceof com.rabbitmq.client.Recoverable recoverable) {
            recoverable.addRecoveryListener(new com.rabbitmq.client.RecoveryListener() {
                @Override
                public void handleRecovery(com.rabbitmq.client.Recoverable recovered) {
                    log.info("RabbitMQ connection {} recovered", connection.getClientProvidedName());
                    missed.run();
                }

                @Override
                public void handleRecoveryStarted(com.rabbitmq.client.Recoverable recovering) {}
            });
        }
    }

    /** The queue of lane {@code lane}; lane 0 keeps the name of the single queue of earlier versions. */
    static String laneQueue(int lane) {
        return lane == 0 ? WORKER_QUEUE : WORKER_QUEUE + "." + lane;
    }

    static String laneKey(int lane) {
        return lane == 0 ? COMMAND_KEY : COMMAND_KEY + "." + lane;
    }

    /** The lane of {@code orderKey}: the same key, the same lane, so its commands keep their order. */
    static int laneOf(String orderKey, int lanes) {
        return Math.floorMod(orderKey.hashCode(), lanes);
    }

    static void declareShared(Channel channel, int lanes) throws IOException {
        channel.exchangeDeclare(OUTGOING, BuiltinExchangeType.DIRECT, true);
        channel.exchangeDeclare(INCOMING, BuiltinExchangeType.DIRECT, true);
        channel.exchangeDeclare(DEAD_EXCHANGE, BuiltinExchangeType.FANOUT, true);
        channel.queueDeclare(DEAD_QUEUE, true, false, false, QueueArguments.quorum());
        channel.queueBind(DEAD_QUEUE, DEAD_EXCHANGE, "");
        for (int lane = 0; lane < lanes; lane++) {
            Map<String, Object> args = QueueArguments.deadLetteringTo(DEAD_EXCHANGE);
            args.put("x-single-active-consumer", true);
            args.put("x-delivery-limit", 20);
            channel.queueDeclare(laneQueue(lane), true, false, false, args);
            channel.queueBind(laneQueue(lane), INCOMING, laneKey(lane));
        }
    }

    @Override
    public synchronized void start(Consumer<BusEvent> receiver) {
        try {
            consuming = broker.connect("chute-gateway-" + queue, true);
            whenRecovered(consuming);
            for (int i = 0; i < bindings.length; i++) {
                bindings[i] = consuming.createChannel();
            }
            bindings[0].queueDeclare(queue, false, true, true, null);
            Channel deliveries = consuming.createChannel();
            // why: the client runs one channel's deliveries on one thread at a time, in order
            deliveries.basicConsume(queue, true, new DefaultConsumer(deliveries) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
                    Map<String, Object> headers = props.getHeaders() == null ? Map.of() : props.getHeaders();
                    Object seq = headers.get(SEQ);
                    Object except = headers.get(EXCEPT);
                    try {
                        receiver.accept(new BusEvent(
                                new Route(envelope.getRoutingKey()),
                                props.getType(),
                                seq == null ? null : ((Number) seq).longValue(),
                                new String(body, StandardCharsets.UTF_8),
                                except == null ? null : UUID.fromString(except.toString())));
                    } catch (RuntimeException e) {
                        log.warn("event {} on {} could not be delivered", props.getType(), envelope.getRoutingKey(), e);
                    }
                }
            });
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException("cannot declare this node's queue " + queue, e);
        }
    }

    @Override
    public void publish(BusEvent event) {
        Map<String, Object> headers = new HashMap<>(2);
        if (event.seq() != null) {
            headers.put(SEQ, event.seq());
        }
        if (event.except() != null) {
            headers.put(EXCEPT, event.except().toString());
        }
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .type(event.type())
                .contentType("application/json")
                .deliveryMode(1)
                .headers(headers)
                .build();
        try {
            synchronized (events) {
                events.basicPublish(
                        OUTGOING, event.route().key(), props, event.data().getBytes(StandardCharsets.UTF_8));
            }
            if (publishFailed.compareAndSet(true, false)) {
                missed.run();
            }
        } catch (IOException | RuntimeException e) {
            // why: the replay log holds every durable event; once publishing works again the sockets resume from it
            if (publishFailed.compareAndSet(false, true)) {
                log.warn(
                        "events not published until RabbitMQ is back (sockets will resume from the replay log): {}",
                        e.toString());
            } else {
                log.debug("event {} to {} not published: {}", event.type(), event.route(), e.toString());
            }
        }
    }

    private Channel bindingsOf(Route route) {
        return bindings[Math.floorMod(route.key().hashCode(), bindings.length)];
    }

    @Override
    public void bind(Route route) {
        Channel channel = bindingsOf(route);
        try {
            synchronized (channel) {
                channel.queueBind(queue, OUTGOING, route.key());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind " + route + " to " + queue, e);
        }
    }

    @Override
    public void unbind(Route route) {
        Channel channel = bindingsOf(route);
        try {
            synchronized (channel) {
                if (channel.isOpen()) {
                    channel.queueUnbind(queue, OUTGOING, route.key());
                }
            }
        } catch (IOException e) {
            log.warn("cannot unbind {} from {}: {}", route, queue, e.toString());
        }
    }

    @Override
    public CompletableFuture<Void> submit(String kind, String orderKey, String json) {
        String traceParent = tracing.current();
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .contentType("application/json")
                .deliveryMode(2)
                .headers(
                        traceParent == null
                                ? Map.of(KIND, kind)
                                : Map.of(KIND, kind, JobTracing.TRACEPARENT, traceParent))
                .build();
        String key = orderKey == null ? kind : orderKey;
        // why: one key always uses one channel and one lane, so its commands reach the lane's queue in the order they
        // were published
        ConfirmingChannel channel = confirmChannels[Math.floorMod(key.hashCode(), CONFIRM_CHANNELS)];
        return channel.publish(INCOMING, laneKey(laneOf(key, lanes)), props, json.getBytes(StandardCharsets.UTF_8))
                .orTimeout(5, TimeUnit.SECONDS)
                .exceptionallyCompose(e -> {
                    log.warn("command {} not accepted by RabbitMQ: {}", kind, e.toString());
                    return CompletableFuture.failedFuture(unavailable());
                });
    }

    /**
     * A channel in confirm mode whose publishes complete their futures when the broker confirms
     * them, so a publisher never waits for one confirm before sending the next.
     */
    private static final class ConfirmingChannel {
        private final Connection connection;
        private final java.util.concurrent.ConcurrentSkipListMap<Long, CompletableFuture<Void>> outstanding =
                new java.util.concurrent.ConcurrentSkipListMap<>();
        private Channel channel;

        ConfirmingChannel(Connection connection) throws IOException {
            this.connection = connection;
            open();
        }

        private void open() throws IOException {
            Channel c = connection.createChannel();
            c.confirmSelect();
            c.addConfirmListener(
                    (tag, multiple) -> settle(tag, multiple, null),
                    (tag, multiple) -> settle(tag, multiple, new IOException("the broker refused the message")));
            c.addShutdownListener(cause -> failAll(cause));
            channel = c;
        }

        synchronized CompletableFuture<Void> publish(
                String exchange, String key, AMQP.BasicProperties props, byte[] body) {
            CompletableFuture<Void> confirmed = new CompletableFuture<>();
            try {
                if (!channel.isOpen()) {
                    open();
                }
                long tag = channel.getNextPublishSeqNo();
                outstanding.put(tag, confirmed);
                channel.basicPublish(exchange, key, props, body);
            } catch (IOException | RuntimeException e) {
                confirmed.completeExceptionally(e);
            }
            return confirmed;
        }

        private void settle(long tag, boolean multiple, Exception failure) {
            var settled = multiple ? outstanding.headMap(tag, true) : outstanding.subMap(tag, true, tag, true);
            settled.values().forEach(f -> {
                if (failure == null) {
                    f.complete(null);
                } else {
                    f.completeExceptionally(failure);
                }
            });
            settled.clear();
        }

        private void failAll(Exception cause) {
            outstanding.values().forEach(f -> f.completeExceptionally(cause));
            outstanding.clear();
        }
    }

    private static ApiException unavailable() {
        return new ApiException(
                HttpStatus.SERVICE_UNAVAILABLE,
                "the message broker did not take the command; try again",
                Map.of("retryAfterSeconds", 2));
    }

    /**
     * Consumes every lane of the incoming queue: for each, deliveries queue up locally and one
     * thread of its own runs them in batches (one transaction each), acknowledging a batch once it
     * committed. A failing batch is run again one command at a time; a failing command is requeued
     * after a pause. Each lane has a single active consumer across nodes, so lanes may be active on
     * different nodes.
     */
    @Override
    public synchronized void consumeIncoming(IncomingDispatcher dispatcher) {
        try {
            working = broker.connect("chute-chat-worker", true);
            for (int lane = 0; lane < lanes; lane++) {
                consumeLane(lane, dispatcher);
            }
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException("cannot consume " + WORKER_QUEUE, e);
        }
    }

    private void consumeLane(int lane, IncomingDispatcher dispatcher) throws IOException {
        Channel channel = working.createChannel();
        channel.basicQos(PREFETCH);
        BlockingQueue<Delivery> pending = new LinkedBlockingQueue<>();
        channel.basicConsume(laneQueue(lane), false, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
                Object kind =
                        props.getHeaders() == null ? null : props.getHeaders().get(KIND);
                Object traceParent =
                        props.getHeaders() == null ? null : props.getHeaders().get(JobTracing.TRACEPARENT);
                pending.add(new Delivery(
                        envelope.getDeliveryTag(),
                        new Incoming(
                                kind == null ? "" : kind.toString(),
                                new String(body, StandardCharsets.UTF_8),
                                traceParent == null ? null : traceParent.toString())));
            }
        });
        Thread.ofPlatform().name("chute-chat-worker-" + lane).daemon().start(() -> work(channel, pending, dispatcher));
    }

    private record Delivery(long tag, Incoming command) {}

    private void work(Channel channel, BlockingQueue<Delivery> pending, IncomingDispatcher dispatcher) {
        List<Delivery> batch = new ArrayList<>(BATCH);
        while (!closed) {
            try {
                Delivery first = pending.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                pending.drainTo(batch, BATCH - 1);
                try {
                    dispatcher.dispatch(batch.stream().map(Delivery::command).toList());
                    channel.basicAck(batch.getLast().tag(), true);
                } catch (Exception batchFailed) {
                    log.warn(
                            "a batch of {} commands failed ({}); running them one at a time",
                            batch.size(),
                            batchFailed.toString());
                    for (Delivery d : batch) {
                        runAlone(channel, dispatcher, d);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | RuntimeException e) {
                log.warn("chat worker: {}", e.toString());
            } finally {
                batch.clear();
            }
        }
    }

    private void runAlone(Channel channel, IncomingDispatcher dispatcher, Delivery d)
            throws IOException, InterruptedException {
        try {
            dispatcher.dispatch(List.of(d.command()));
            channel.basicAck(d.tag(), false);
        } catch (Exception e) {
            log.warn(
                    "command {} failed; it will be delivered again", d.command().kind(), e);
            // why: a pause before the redelivery, so a database outage is not a hot loop
            TimeUnit.SECONDS.sleep(1);
            channel.basicNack(d.tag(), false, true);
        }
    }

    @Override
    public String transport() {
        return "rabbitmq";
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (Connection c : new Connection[] {working, consuming, publishing}) {
            if (c != null && c.isOpen()) {
                try {
                    c.close(2_000);
                } catch (IOException | RuntimeException e) {
                    log.debug("closing {}: {}", c, e.toString());
                }
            }
        }
    }
}
