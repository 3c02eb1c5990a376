package io.chute.job;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import io.chute.config.ChuteProperties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RabbitMQ as the job queue ({@code chute.queue.type=rabbitmq}). The jobs table stays the truth
 * of every job's state; RabbitMQ carries job ids, one durable quorum queue per job type (see
 * {@link RabbitTopology}).
 *
 * <ul>
 *   <li>Submitting writes an outbox row in the caller's transaction and never calls the broker;
 *       the {@link OutboxRelay} publishes it with confirms after commit. A job accepted while the
 *       broker is down waits in the outbox and runs once it is back.</li>
 *   <li>Per job type this node runs as many consumers as it has active worker slots, each with a
 *       prefetch of one, so the unacknowledged deliveries equal the type's current concurrency.
 *       Slots follow the queue depth between {@code chute.jobs.min-workers} and the type's
 *       concurrency, as the PostgreSQL queue's threads do.</li>
 *   <li>A delivery becomes a lease with {@link Jobs#claimDelivered}: a duplicate, finished,
 *       cancelled or not-yet-due job claims nothing (one not yet due goes back through a delay
 *       queue); a more urgent job of the same type waiting behind it is claimed first, which is
 *       how priorities hold on FIFO quorum queues.</li>
 *   <li>A delivery is acknowledged only after its outcome is committed, and after any follow-up
 *       message (a retry's delayed delivery) is in the outbox: if this node dies first, the
 *       broker delivers it again and the conditional claim makes that harmless. A FAILED job's
 *       delivery is rejected into the dead-letter queue.</li>
 *   <li>A safety net re-publishes jobs that have waited past their time with nothing in their
 *       work queue or the outbox (a message removed by hand, or dead-lettered by a broker-side
 *       delivery limit); it logs every job it rescues, because in normal operation it finds none.</li>
 * </ul>
 */
public class RabbitJobQueue implements JobQueue {

    private static final Logger log = LoggerFactory.getLogger(RabbitJobQueue.class);
    private static final Duration SCALE_EVERY = Duration.ofSeconds(1);

    private final Jobs jobs;
    private final JobOutbox outbox;
    private final OutboxRelay relay;
    private final RabbitBroker broker;
    private final ChuteProperties.Jobs config;
    private final Duration sweepEvery;
    private final Map<String, TypeConsumers> types = new ConcurrentHashMap<>();
    private final AtomicLong rescued = new AtomicLong();
    private volatile boolean running;
    private volatile JobRunner runner;
    private volatile Connection connection;
    private volatile Channel control;
    private Thread connector;
    private ScheduledExecutorService maintenance;
    private long lastSweep = System.nanoTime();

    public RabbitJobQueue(Jobs jobs, JobOutbox outbox, OutboxRelay relay, RabbitBroker broker, ChuteProperties.Jobs config) {
        this.jobs = jobs;
        this.outbox = outbox;
        this.relay = relay;
        this.broker = broker;
        this.config = config;
        this.sweepEvery = config.lease().compareTo(Duration.ofSeconds(5)) > 0 ? config.lease() : Duration.ofSeconds(5);
    }

    @Override
    public void submitted(Job job) {
        outbox.add(job);
        relay.wakeAfterCommit();
    }

    @Override
    public synchronized void start(JobRunner jobRunner) {
        if (running) {
            return;
        }
        running = true;
        runner = jobRunner;
        for (String type : jobRunner.types()) {
            int max = config.concurrencyOf(type);
            types.put(type, new TypeConsumers(type, Math.min(config.minWorkers(), max), max));
        }
        // why: the broker may be down when the worker starts; consumers attach whenever it is up
        connector = Thread.ofPlatform().name("chute-rabbit-connect").daemon().start(this::connect);
        maintenance = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("chute-rabbit-scale").daemon().factory());
        maintenance.scheduleWithFixedDelay(this::maintain, SCALE_EVERY.toMillis(), SCALE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop(Duration grace) {
        if (!running) {
            return;
        }
        running = false;
        if (maintenance != null) {
            maintenance.shutdownNow();
        }
        if (connector != null) {
            connector.interrupt();
        }
        types.values().forEach(TypeConsumers::cancelAll);
        long deadline = System.nanoTime() + grace.toNanos();
        boolean drained = true;
        for (TypeConsumers t : types.values()) {
            drained &= t.awaitIdle(deadline);
        }
        if (!drained) {
            log.warn("Jobs still running after the grace period; releasing them to other workers");
            runner.interruptAll();
            // why: the released jobs still need their outbox rows and acks before the channels close
            long settle = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            types.values().forEach(t -> t.awaitIdle(settle));
        }
        types.values().forEach(TypeConsumers::shutdownNow);
        Connection c = connection;
        if (c != null) {
            try {
                c.close(5_000);
            } catch (IOException | RuntimeException e) {
                log.debug("Closing the consumer connection failed", e);
            }
        }
    }

    @Override
    public Map<String, Integer> activeWorkers() {
        Map<String, Integer> active = new TreeMap<>();
        types.forEach((type, t) -> active.put(type, t.active));
        return active;
    }

    @Override
    public String name() {
        return "rabbitmq";
    }

    /** Jobs the safety net re-published because they had no message anywhere; zero in normal operation. */
    public long rescued() {
        return rescued.get();
    }

    private void connect() {
        Duration backoff = Duration.ofMillis(200);
        while (running) {
            Connection c = null;
            try {
                c = broker.connect("chute-jobs " + runner.workerId(), true);
                Channel ch = c.createChannel();
                RabbitTopology.declareShared(ch);
                control = ch;
                for (TypeConsumers t : types.values()) {
                    try {
                        t.declare(c);
                    } catch (RuntimeException e) {
                        // logged; the maintenance tick tries again while the other types get going
                    }
                }
                synchronized (this) {
                    if (!running) { // stopped while connecting
                        c.abort(1_000);
                        return;
                    }
                    connection = c;
                    for (TypeConsumers t : types.values()) {
                        if (!t.broken) {
                            t.open(c);
                        }
                    }
                }
                if (c instanceof Recoverable recoverable) {
                    recoverable.addRecoveryListener(new RecoveryListener() {
                        @Override
                        public void handleRecovery(Recoverable r) {
                            log.info("Reconnected to RabbitMQ {}; consuming {} again", broker, types.keySet());
                        }

                        @Override
                        public void handleRecoveryStarted(Recoverable r) {
                            log.warn("Lost the connection to RabbitMQ {}; reconnecting (running jobs finish, their messages come back)", broker);
                        }
                    });
                }
                log.info("Consuming {} from RabbitMQ {}", types.keySet(), broker);
                return;
            } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
                connection = null;
                if (c != null) {
                    c.abort(1_000);
                }
                if (!running) {
                    return;
                }
                log.warn("Cannot consume jobs from RabbitMQ {} yet; retrying in {}: {}", broker, backoff, e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : backoff.multipliedBy(2);
            }
        }
    }

    /** Every second: match the consumers to the queue depth; now and then, look for jobs without a message. */
    private void maintain() {
        Connection c = connection;
        if (c == null || !c.isOpen()) {
            return; // not connected yet, or the client is recovering the connection
        }
        for (TypeConsumers t : types.values()) {
            try {
                t.reconcile(c);
            } catch (IOException | RuntimeException e) {
                log.debug("Maintaining the {} consumers failed; retrying: {}", t.type, e.toString());
            }
        }
        if (System.nanoTime() - lastSweep > sweepEvery.toNanos()) {
            lastSweep = System.nanoTime();
            try {
                sweep(control(c));
            } catch (IOException | RuntimeException e) {
                log.debug("Looking for jobs without a message failed; retrying: {}", e.toString());
            }
        }
    }

    /** The channel for declarations and queue depths; a failed declaration closes it, so it is reopened on demand. */
    private Channel control(Connection c) throws IOException {
        Channel ch = control;
        if (ch == null || !ch.isOpen()) {
            ch = c.createChannel();
            control = ch;
        }
        return ch;
    }

    private void sweep(Channel ch) throws IOException {
        for (TypeConsumers t : types.values()) {
            if (t.broken) {
                continue;
            }
            // why: while messages wait in the queue, jobs waiting in the table are expected
            if (ch.messageCount(RabbitTopology.workQueue(t.type)) > 0) {
                continue;
            }
            int found = outbox.addOrphans(t.type, Math.max(1, config.lease().toSeconds()));
            if (found > 0) {
                rescued.addAndGet(found);
                relay.wake();
                log.warn("Re-published {} waiting {} jobs that had no message in RabbitMQ or the outbox", found, t.type);
            }
        }
    }

    /** Turns one delivery into at most one run, and acknowledges it once the outcome is committed. */
    private void deliver(Delivery d) {
        TypeConsumers t = d.consumers();
        if (!running) {
            d.requeue(); // stopping: another worker takes it
            return;
        }
        JobId id;
        try {
            id = new JobId(UUID.fromString(new String(d.body(), StandardCharsets.US_ASCII)));
        } catch (IllegalArgumentException e) {
            log.warn("Dead-lettering a {} message that is not a job id", t.type);
            d.reject();
            return;
        }
        try {
            Optional<Job> claimed = jobs.claimDelivered(id, t.type, runner.workerId());
            if (claimed.isEmpty()) {
                if (outbox.addIfNotYetDue(id)) {
                    relay.wake();
                }
                d.ack();
                return;
            }
            Job job = claimed.get();
            if (!job.id().equals(id)) {
                relay.wake(); // the delivered job, still waiting, got a fresh message in the claim
            }
            // why: the claim may hand over another job of the type than the one delivered; only the delivered one has this header
            JobRunner.Outcome outcome = runner.run(job, job.id().equals(id) && d.traceParent() != null ? d.traceParent() : job.traceParent());
            switch (outcome) {
                case COMPLETED, REJECTED -> d.ack();
                case RETRYING, LOST -> {
                    // a retry's next attempt, or a job released at shutdown, waits for a new message
                    if (outbox.addIfWaiting(job.id())) {
                        relay.wake();
                    }
                    d.ack();
                }
                case FAILED -> {
                    if (job.id().equals(id)) {
                        d.reject();
                    } else {
                        outbox.addDead(job);
                        relay.wake();
                        d.ack();
                    }
                }
            }
        } catch (RuntimeException e) {
            // most likely the database is unreachable: give the delivery back and slow down
            log.warn("Handling the delivery of job {} failed; it goes back to the queue: {}", id, e.toString());
            pause(config.pollInterval());
            d.requeue();
        }
    }

    /**
     * One delivery, acknowledged on the channel it came from: after a channel is replaced, its
     * delivery tags mean nothing on the new one. {@code traceParent} is the message's W3C header,
     * set by the relay's publish span (null outside a trace).
     */
    private record Delivery(TypeConsumers consumers, Channel channel, long tag, byte[] body, String traceParent) {

        void ack() {
            settle("acknowledge", () -> channel.basicAck(tag, false));
        }

        /** Into the dead-letter queue. */
        void reject() {
            settle("reject", () -> channel.basicReject(tag, false));
        }

        /** Back to the queue, for any consumer. */
        void requeue() {
            settle("return", () -> channel.basicNack(tag, false, true));
        }

        private void settle(String what, IoAction action) {
            try {
                action.run();
            } catch (IOException | RuntimeException e) {
                // the channel or connection is gone: the broker delivers it again, and its claim finds it done
                log.debug("Could not {} a {} delivery: {}", what, consumers.type, e.toString());
            }
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One job type on this node: a channel with one consumer (prefetch 1) per active slot, and
     * the worker threads that run what they deliver.
     */
    private final class TypeConsumers {
        final String type;
        final String queue;
        final int min;
        final int max;
        final ExecutorService workers;
        final Deque<String> consumerTags = new ArrayDeque<>();
        volatile int active;
        volatile Channel channel;
        volatile boolean broken;

        TypeConsumers(String type, int min, int max) {
            this.type = type;
            this.queue = RabbitTopology.workQueue(type);
            this.min = Math.max(1, min);
            this.max = Math.max(this.min, max);
            this.active = this.min;
            this.workers = Executors.newFixedThreadPool(this.max, Thread.ofPlatform().name("chute-" + type + "-", 0).factory());
        }

        synchronized void open(Connection c) throws IOException {
            Channel ch = c.createChannel();
            // why: per-consumer prefetch (quorum queues have no channel-wide QoS); one consumer per slot
            ch.basicQos(1);
            ch.addShutdownListener(this::closed);
            channel = ch;
            broken = false;
            consumerTags.clear();
            while (consumerTags.size() < active) {
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
                RabbitTopology.declareType(control(c), type);
                if (broken) {
                    log.info("Declared the RabbitMQ queue of job type '{}'", type);
                }
            } catch (IOException | RuntimeException e) {
                if (!broken) {
                    log.error("Cannot declare the RabbitMQ queue of job type '{}'; its jobs wait until it can be: {}", type,
                            RabbitTopology.reason(e));
                }
                broken = true;
                throw e instanceof RuntimeException r ? r : new java.io.UncheckedIOException((IOException) e);
            }
        }

        synchronized void reconcile(Connection c) throws IOException {
            if (!running) {
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
            long depth = control(c).messageCount(queue);
            int now = active;
            if (depth > now * 10L && now < max) {
                active = now + 1;
            } else if (depth < now * 5L && now > min) {
                active = now - 1;
            }
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

        boolean awaitIdle(long deadlineNanos) {
            workers.shutdown();
            try {
                return workers.awaitTermination(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        void shutdownNow() {
            workers.shutdownNow();
        }

        private final class SlotConsumer extends DefaultConsumer {
            SlotConsumer(Channel ch) {
                super(ch);
            }

            @Override
            public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                Object traceParent = properties.getHeaders() == null ? null : properties.getHeaders().get(JobTracing.TRACEPARENT);
                Delivery delivery = new Delivery(TypeConsumers.this, getChannel(), envelope.getDeliveryTag(), body,
                        traceParent == null ? null : traceParent.toString());
                try {
                    workers.execute(() -> deliver(delivery));
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
}
