package io.chute.job.rabbit;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.chute.job.JobTracing;
import io.chute.job.WorkerPool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job type on this node: a channel with one consumer (prefetch 1) per active slot, and
 * the worker threads that run what they deliver.
 */
final class TypeConsumers {

    private static final Logger log = LoggerFactory.getLogger(TypeConsumers.class);

    final String type;
    final String queue;
    final WorkerPool workers;
    private final ControlChannel control;
    private final Consumer<Delivery> handler;
    private final BooleanSupplier running;
    private final Deque<String> consumerTags = new ArrayDeque<>();
    private volatile Channel channel;
    volatile boolean broken;

    TypeConsumers(WorkerPool workers, ControlChannel control, Consumer<Delivery> handler, BooleanSupplier running) {
        this.type = workers.type();
        this.queue = RabbitTopology.workQueue(type);
        this.workers = workers;
        this.control = control;
        this.handler = handler;
        this.running = running;
    }

    synchronized void open(Connection c) throws IOException {
        Channel ch = c.createChannel();
        // why: per-consumer prefetch (quorum queues have no channel-wide QoS); one consumer per slot
        ch.basicQos(1);
        ch.addShutdownListener(this::closed);
        channel = ch;
        broken = false;
        consumerTags.clear();
        while (consumerTags.size() < workers.active()) {
            consumerTags.add(ch.basicConsume(queue, false, new SlotConsumer(ch)));
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
        workers.follow(control.on(c).messageCount(queue));
        int active = workers.active();
        Channel ch = channel;
        while (consumerTags.size() < active) {
            consumerTags.add(ch.basicConsume(queue, false, new SlotConsumer(ch)));
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
        SlotConsumer(Channel ch) {
            super(ch);
        }

        @Override
        public void handleDelivery(
                String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            Object traceParent = properties.getHeaders() == null
                    ? null
                    : properties.getHeaders().get(JobTracing.TRACEPARENT);
            Delivery delivery = new Delivery(
                    type,
                    getChannel(),
                    envelope.getDeliveryTag(),
                    body,
                    traceParent == null ? null : traceParent.toString());
            try {
                workers.execute(() -> handler.accept(delivery));
            } catch (RejectedExecutionException e) {
                // stopping: left unacknowledged, it goes back to the queue when the channel closes
            }
        }

        @Override
        public void handleCancel(String consumerTag) {
            // the broker cancelled it (its queue was deleted): declare the queue again and resubscribe
            log.warn("RabbitMQ cancelled a {} consumer; resubscribing", type);
            broken = true;
        }
    }
}
