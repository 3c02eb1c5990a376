package io.chute.job.rabbit;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.chute.common.DatabaseOutages;
import io.chute.job.JobTracing;
import io.chute.job.WorkerPool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job type on this node: a channel with one consumer per active slot, each holding up to
 * {@code prefetch} deliveries unacknowledged; a claimer thread that gathers what has arrived, as
 * many deliveries as there are free slots, into one claim ({@link DeliveryHandler}); and the
 * worker threads that run what it claimed.
 */
final class TypeConsumers {

    private static final Logger log = LoggerFactory.getLogger(TypeConsumers.class);

    final String type;
    final String queue;
    final WorkerPool workers;
    private final ControlChannel control;
    private final DeliveryHandler handler;
    private final BooleanSupplier running;
    private final int prefetch;
    private final Deque<String> consumerTags = new ArrayDeque<>();
    private final BlockingQueue<Delivery> arrived = new LinkedBlockingQueue<>();
    private final Object slotFreed = new Object();
    private Thread claimer;
    private volatile Channel channel;
    private volatile ChannelAcks acks;
    volatile boolean broken;

    TypeConsumers(
            WorkerPool workers,
            ControlChannel control,
            DeliveryHandler handler,
            int prefetch,
            BooleanSupplier running) {
        this.type = workers.type();
        this.queue = RabbitTopology.workQueue(type);
        this.workers = workers;
        this.control = control;
        this.handler = handler;
        this.prefetch = prefetch;
        this.running = running;
    }

    /** Starts claiming what the consumers deliver. */
    synchronized void start() {
        claimer = Thread.ofPlatform().name("chute-" + type + "-claim").daemon().start(this::claimLoop);
    }

    /**
     * Stops claiming and waits for the claimer: after this no more jobs go to the worker slots.
     * Deliveries not claimed yet go back to the queue. Call after the consumers are cancelled.
     */
    void stopClaiming() {
        Thread t;
        synchronized (this) {
            t = claimer;
        }
        if (t == null) {
            return;
        }
        try {
            // why: not interrupted, so that a claim in progress finishes and hands its jobs to the slots
            t.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Gathers the deliveries that have arrived, one per free slot, and claims them together: under
     * load, a claim statement serves many deliveries, and the next deliveries are already here
     * (prefetched) when slots free up.
     */
    private void claimLoop() {
        List<Delivery> batch = new ArrayList<>();
        while (running.getAsBoolean()) {
            try {
                Delivery first = arrived.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                int free = awaitFreeSlots();
                if (free == 0) {
                    batch.forEach(Delivery::requeue); // stopping
                    break;
                }
                arrived.drainTo(batch, free - 1);
                // why: deliveries of a channel that was replaced are back in the queue; their tags mean nothing now
                batch.removeIf(TypeConsumers::stale);
                handler.handle(batch, this::runOnSlot);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                // unsettled ones go back to the queue with the channel; a database outage is one WARN, not one a batch
                DatabaseOutages.report(log, "Claiming " + batch.size() + " deliveries of " + type, e);
            } finally {
                batch.clear();
            }
        }
        // stopping: the consumers are cancelled, so nothing more arrives; what is here goes back to the queue now
        arrived.drainTo(batch);
        batch.forEach(Delivery::requeue);
    }

    /** True for a delivery of a closed channel, which it forgets (the broker has put the message back). */
    private static boolean stale(Delivery d) {
        if (d.settleable()) {
            return false;
        }
        d.requeue(); // why: only so that its channel's acknowledgements stop counting it; nothing reaches the broker
        return true;
    }

    /** Waits until a worker slot is free; how many are, or 0 once the queue stops. */
    private int awaitFreeSlots() throws InterruptedException {
        synchronized (slotFreed) {
            int free;
            while ((free = workers.free()) <= 0) {
                if (!running.getAsBoolean()) {
                    return 0;
                }
                // why: timed, since slots are also added by the scale tick, which does not notify
                slotFreed.wait(100);
            }
            return free;
        }
    }

    private void runOnSlot(Consumer<Runnable> job) {
        workers.run(job, () -> {
            synchronized (slotFreed) {
                slotFreed.notifyAll();
            }
        });
    }

    synchronized void open(Connection c) throws IOException {
        Channel ch = c.createChannel();
        acks = new ChannelAcks(ch, type);
        // why: per-consumer prefetch (quorum queues have no channel-wide QoS); one consumer per slot
        ch.basicQos(prefetch);
        ch.addShutdownListener(this::closed);
        channel = ch;
        broken = false;
        consumerTags.clear();
        while (consumerTags.size() < workers.active()) {
            consumerTags.add(ch.basicConsume(queue, false, new SlotConsumer(ch, acks)));
        }
    }

    /** A channel error (not a connection failure, which the client recovers by itself) needs a new channel. */
    private void closed(ShutdownSignalException cause) {
        if (!cause.isHardError() && !cause.isInitiatedByApplication()) {
            log.warn("The {} consumer channel was closed by RabbitMQ: {}", type, cause.getMessage());
            broken = true;
        }
    }

    /** Declares this type's work queue; if that fails, the type waits (marked broken) and the others go on. */
    void declare(Connection c) {
        try {
            RabbitTopology.declareType(control.on(c), type);
            if (broken) {
                log.info("Declared the RabbitMQ queue of job type '{}'", type);
            }
        } catch (IOException | RuntimeException e) {
            if (!RabbitTopology.refused(e)) {
                // a lost connection: its recovery declares the queue again and reconciles the consumers
                log.warn(
                        "Lost the RabbitMQ connection while declaring the queue of job type '{}': {}",
                        type,
                        RabbitTopology.reason(e));
            } else if (!broken) {
                log.error(
                        "Cannot declare the RabbitMQ queue of job type '{}'; its jobs wait until it can be: {}",
                        type,
                        RabbitTopology.reason(e));
            }
            broken = true;
            throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
        }
    }

    synchronized void reconcile(Connection c) throws IOException {
        if (!running.getAsBoolean()) {
            return;
        }
        if (broken) {
            declare(c);
            Channel old = channel;
            if (old != null && old.isOpen()) {
                // why: its unacknowledged deliveries go back to the queue; their jobs, if claimed, run on
                old.abort();
            }
            open(c);
        }
        // why: what this node holds prefetched is no longer ready in the queue, but still waits
        workers.follow(control.on(c).messageCount(queue) + arrived.size());
        int active = workers.active();
        Channel ch = channel;
        while (consumerTags.size() < active) {
            consumerTags.add(ch.basicConsume(queue, false, new SlotConsumer(ch, acks)));
        }
        while (consumerTags.size() > active) {
            // its delivery in progress, if any, is still acknowledged on this channel
            ch.basicCancel(consumerTags.peekLast());
            consumerTags.removeLast();
        }
    }

    synchronized void cancelAll() {
        Channel ch = channel;
        while (!consumerTags.isEmpty()) {
            String tag = consumerTags.removeLast();
            try {
                if (ch != null && ch.isOpen()) {
                    ch.basicCancel(tag);
                }
            } catch (IOException | RuntimeException e) {
                log.debug("Cancelling a {} consumer failed", type, e);
            }
        }
    }

    private final class SlotConsumer extends DefaultConsumer {
        private final ChannelAcks acks;

        SlotConsumer(Channel ch, ChannelAcks acks) {
            super(ch);
            this.acks = acks;
        }

        @Override
        public void handleDelivery(
                String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            Object traceParent = properties.getHeaders() == null
                    ? null
                    : properties.getHeaders().get(JobTracing.TRACEPARENT);
            acks.delivered(envelope.getDeliveryTag());
            Delivery delivery = new Delivery(
                    type, acks, envelope.getDeliveryTag(), body, traceParent == null ? null : traceParent.toString());
            // the claimer takes it; when stopping, left unacknowledged, it goes back to the queue with the channel
            arrived.add(delivery);
        }

        @Override
        public void handleCancel(String consumerTag) {
            // the broker cancelled it (its queue was deleted): declare the queue again and resubscribe
            log.warn("RabbitMQ cancelled a {} consumer; resubscribing", type);
            broken = true;
        }
    }
}
