package io.chute.job.rabbit;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.chute.broker.RabbitBroker;
import io.chute.common.AfterCommit;
import io.chute.common.DatabaseOutages;
import io.chute.job.JobTracing;
import io.micrometer.tracing.Span;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Publishes the job outbox to RabbitMQ: one per node, and any number of nodes at once. Each
 * round locks a batch of up to {@value #BATCH} rows with {@code FOR UPDATE SKIP LOCKED} (so relays never publish
 * the same row concurrently), publishes them as persistent, mandatory messages on a confirming
 * channel, waits for the broker's confirms and deletes the rows in the same transaction. Any
 * failure (broker down, a negative confirm, an unroutable message, a timeout) rolls the batch
 * back: the rows stay and are published again after a short backoff, so a message can be
 * published twice but never lost; consumers treat duplicates as no-ops. A job type whose queue
 * cannot be declared is set aside for a while, its rows waiting without holding up the others.
 *
 * <p>It wakes at once when a transaction of this node that wrote outbox rows commits
 * ({@link #wakeAfterCommit()}), and polls every {@code pollInterval} for rows written by nodes
 * that stopped before relaying them. Wake-ups are in-process rather than {@code NOTIFY}: every
 * node runs a relay, so the node that wrote a row is the one that should publish it, and the
 * submit path pays for no notification at commit.
 *
 * <p>In a Spring context it starts before the job workers and stops after them, so that the
 * follow-up messages of the last jobs to finish still go out.
 */
public class OutboxRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    public static final int BATCH = 500;
    private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
    private static final Duration UNDECLARABLE_FOR = Duration.ofSeconds(30);

    private final JobOutbox outbox;
    private final JobTracing tracing;
    private final TransactionTemplate tx;
    private final RabbitBroker broker;
    private final Duration pollInterval;
    private final Object signal = new Object();
    private final AtomicInteger returned = new AtomicInteger();
    // touched by the relay thread only (and by stop() once it has ended)
    private final Set<String> declaredTypes = new HashSet<>();
    private final Map<String, Long> undeclarable = new HashMap<>();
    private boolean woken;
    private volatile boolean running;
    private Thread thread;
    private Connection connection;
    private Channel channel;
    private Channel declarations;

    public OutboxRelay(JobOutbox outbox, TransactionTemplate tx, RabbitBroker broker, Duration pollInterval) {
        this(outbox, tx, broker, pollInterval, JobTracing.none());
    }

    public OutboxRelay(
            JobOutbox outbox, TransactionTemplate tx, RabbitBroker broker, Duration pollInterval, JobTracing tracing) {
        this.tracing = tracing;
        this.outbox = outbox;
        this.tx = tx;
        this.broker = broker;
        this.pollInterval = pollInterval;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = Thread.ofPlatform().name("chute-outbox-relay").daemon().start(this::relay);
    }

    /** Stops relaying; what is left in the outbox stays there for the next relay. */
    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        wake();
        try {
            thread.join(Duration.ofSeconds(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        disconnect();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // why: JobWorker's phase is DEFAULT_PHASE - 100; a lower phase starts earlier and stops later
        return SmartLifecycle.DEFAULT_PHASE - 200;
    }

    /** Relays at once. */
    public void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    /** Relays once the current transaction commits (at once outside a transaction). */
    void wakeAfterCommit() {
        AfterCommit.run(this::wake);
    }

    /** What stops the relay: the outbox cannot be read (PostgreSQL) or the messages cannot be published (RabbitMQ). */
    private enum Failing {
        NOTHING,
        DATABASE,
        BROKER
    }

    private void relay() {
        Duration backoff = MIN_BACKOFF;
        Failing failing = Failing.NOTHING;
        while (running) {
            try {
                int n = relayBatch();
                if (failing != Failing.NOTHING) {
                    log.info("Outbox relay to RabbitMQ {} is publishing again", broker);
                    failing = Failing.NOTHING;
                }
                backoff = MIN_BACKOFF;
                if (n < BATCH) {
                    awaitWake(pollInterval);
                }
            } catch (RuntimeException | IOException | TimeoutException e) {
                if (!running) {
                    break;
                }
                // why: a database outage fails the batch's transaction too; blaming the broker for it misleads
                Failing now = DatabaseOutages.isUnreachable(e) ? Failing.DATABASE : Failing.BROKER;
                if (now != failing) {
                    if (now == Failing.DATABASE) {
                        log.warn(
                                "Outbox relay cannot read the job outbox: PostgreSQL is unreachable; the outbox is"
                                        + " published once it is back: {}",
                                e.toString());
                    } else {
                        log.warn(
                                "Outbox relay cannot publish to RabbitMQ {}; jobs wait in the outbox and are retried: {}",
                                broker,
                                e.toString());
                    }
                    failing = now;
                } else {
                    log.debug("Outbox relay still failing: {}", e.toString());
                }
                if (now == Failing.BROKER) {
                    disconnect();
                }
                awaitWake(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /** One batch; returns how many rows it took up (published, or set aside with their type). */
    private int relayBatch() throws IOException, TimeoutException {
        Channel ch = channel();
        Integer n = tx.execute(s -> {
            List<JobOutbox.Entry> batch = outbox.lockBatch(BATCH, unpublishable());
            if (batch.isEmpty()) {
                return 0;
            }
            returned.set(0);
            List<JobOutbox.Entry> publishing = new ArrayList<>(batch.size());
            try {
                for (JobOutbox.Entry e : batch) {
                    if (declared(e.type())) {
                        publish(ch, e);
                        publishing.add(e);
                    }
                }
                ch.waitForConfirmsOrDie(CONFIRM_TIMEOUT.toMillis());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (TimeoutException e) {
                throw new IllegalStateException(
                        "RabbitMQ did not confirm " + publishing.size() + " messages within " + CONFIRM_TIMEOUT, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for confirms", e);
            }
            if (returned.get() > 0) {
                // why: a confirm only says the broker took the message; a returned one reached no queue
                declaredTypes.clear();
                throw new IllegalStateException(
                        returned.get() + " messages were unroutable; declaring the queues again");
            }
            outbox.delete(publishing);
            return batch.size();
        });
        return n == null ? 0 : n;
    }

    private void publish(Channel ch, JobOutbox.Entry e) throws IOException {
        byte[] body = e.jobId().toString().getBytes(StandardCharsets.US_ASCII);
        AMQP.BasicProperties.Builder props = new AMQP.BasicProperties.Builder()
                .deliveryMode(2)
                .contentType("text/plain")
                .messageId(e.jobId().toString())
                .type(e.type());
        Map<String, Object> headers = new HashMap<>();
        Span span = e.traceParent() == null ? null : tracing.start(e.traceParent(), "job publish " + e.type());
        try {
            String traceParent = tracing.traceparentOf(span);
            if (traceParent != null) {
                headers.put(JobTracing.TRACEPARENT, traceParent);
            }
            if (e.dead()) {
                ch.basicPublish(
                        RabbitTopology.DEAD_EXCHANGE,
                        e.type(),
                        true,
                        props.headers(headers).build(),
                        body);
            } else if (e.delayMillis() > 0) {
                long level = RabbitTopology.delayLevel(e.delayMillis());
                headers.put(RabbitTopology.DELAY_HEADER, String.valueOf(level));
                ch.basicPublish(
                        RabbitTopology.DELAY_EXCHANGE,
                        e.type(),
                        true,
                        props.headers(headers).build(),
                        body);
            } else {
                ch.basicPublish(
                        RabbitTopology.EXCHANGE,
                        e.type(),
                        true,
                        props.headers(headers).build(),
                        body);
            }
        } finally {
            if (span != null) {
                span.end();
            }
        }
    }

    /**
     * Declares a type's work queue before its first message (a message for a missing queue would
     * be confirmed and dropped). Declarations go on a channel of their own: one that fails (a
     * reserved type name, a queue declared elsewhere with other arguments) closes only that
     * channel, and the type's rows wait in the outbox, set aside for a while, so that they
     * never hold up the other types' rows.
     */
    private boolean declared(String type) {
        if (declaredTypes.contains(type)) {
            return true;
        }
        if (undeclarable.containsKey(type)) {
            return false;
        }
        try {
            Channel ch = declarations;
            if (ch == null || !ch.isOpen()) {
                ch = connection.createChannel();
                declarations = ch;
            }
            RabbitTopology.declareType(ch, type);
            declaredTypes.add(type);
            return true;
        } catch (IOException | RuntimeException e) {
            if (!RabbitTopology.refused(e)) {
                // why: a lost connection is the broker failing, not this type: the relay's loop reports it once
                // per outage and publishes every type again when it is back
                throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
            }
            log.error(
                    "Cannot declare the RabbitMQ queue of job type '{}'; its jobs wait in the outbox, tried again in {}: {}",
                    type,
                    UNDECLARABLE_FOR,
                    RabbitTopology.reason(e));
            undeclarable.put(type, System.nanoTime() + UNDECLARABLE_FOR.toNanos());
            return false;
        }
    }

    private Set<String> unpublishable() {
        long now = System.nanoTime();
        undeclarable.values().removeIf(until -> until - now < 0);
        return undeclarable.keySet();
    }

    private Channel channel() throws IOException, TimeoutException {
        if (channel != null && channel.isOpen()) {
            return channel;
        }
        disconnect();
        // why: no automatic recovery here; a failed batch reconnects from scratch on the next round
        connection = broker.connect("chute-outbox-relay", false);
        Channel ch = connection.createChannel();
        ch.confirmSelect();
        ch.addReturnListener(r -> returned.incrementAndGet());
        RabbitTopology.declareShared(ch);
        channel = ch;
        return ch;
    }

    private void disconnect() {
        declaredTypes.clear();
        Connection c = connection;
        connection = null;
        channel = null;
        declarations = null;
        if (c != null) {
            try {
                c.abort(1_000);
            } catch (RuntimeException e) {
                log.debug("Closing the relay connection failed", e);
            }
        }
    }

    private void awaitWake(Duration timeout) {
        synchronized (signal) {
            if (!woken && running) {
                try {
                    signal.wait(Math.max(1, timeout.toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
            woken = false;
        }
    }
}
