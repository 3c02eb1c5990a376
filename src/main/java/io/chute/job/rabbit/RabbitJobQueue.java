package io.chute.job.rabbit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import io.chute.broker.RabbitBroker;
import io.chute.config.ChuteProperties;
import io.chute.job.Job;
import io.chute.job.JobQueue;
import io.chute.job.JobRunner;
import io.chute.job.QueueThreads;
import io.chute.job.WorkerPool;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
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
 *       prefetch of {@code chute.jobs.rabbitmq.prefetch}. One claimer thread per type gathers the
 *       deliveries that have arrived, as many as there are free slots, and claims them in one
 *       statement; the others wait here, unacknowledged, until slots free up. Slots follow the
 *       work queue's depth by {@link WorkerPool}'s rule, as the PostgreSQL queue's threads do
 *       ({@link TypeConsumers}).</li>
 *   <li>Deliveries become leases with {@link DeliveryClaims#claimDelivered}: a duplicate, finished,
 *       cancelled or not-yet-due job claims nothing (one not yet due goes back through a delay
 *       queue); a more urgent job of the same type waiting behind it is claimed first, which is
 *       how priorities hold on FIFO quorum queues.</li>
 *   <li>A delivery is acknowledged only after its outcome is committed, and after any follow-up
 *       message (a retry's delayed delivery) is in the outbox: if this node dies first, the
 *       broker delivers it again and the conditional claim makes that harmless. A FAILED job's
 *       delivery is rejected into the dead-letter queue ({@link DeliveryHandler}).</li>
 *   <li>A safety net re-publishes jobs that have waited past their time with nothing in their
 *       work queue or the outbox (a message removed by hand, or dead-lettered by a broker-side
 *       delivery limit); it logs every job it rescues, because in normal operation it finds none
 *       ({@link OrphanSweep}).</li>
 * </ul>
 */
public class RabbitJobQueue implements JobQueue {

    private static final Logger log = LoggerFactory.getLogger(RabbitJobQueue.class);
    private static final Duration SCALE_EVERY = Duration.ofSeconds(1);

    private final DeliveryClaims claims;
    private final JobOutbox outbox;
    private final OutboxRelay relay;
    private final RabbitBroker broker;
    private final ChuteProperties.Jobs config;
    private final OrphanSweep sweep;
    private final ControlChannel control = new ControlChannel();
    private final Map<String, TypeConsumers> types = new ConcurrentHashMap<>();
    private volatile boolean running;
    private volatile JobRunner runner;
    private volatile Connection connection;
    private QueueThreads background;

    public RabbitJobQueue(
            DeliveryClaims claims,
            JobOutbox outbox,
            OutboxRelay relay,
            RabbitBroker broker,
            ChuteProperties.Jobs config) {
        this.claims = claims;
        this.outbox = outbox;
        this.relay = relay;
        this.broker = broker;
        this.config = config;
        this.sweep = new OrphanSweep(outbox, relay, config);
    }

    @Override
    public String name() {
        return "rabbitmq";
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
        DeliveryHandler deliveries =
                new DeliveryHandler(claims, outbox, relay, jobRunner, config.pollInterval(), () -> running);
        for (String type : jobRunner.types()) {
            TypeConsumers consumers = new TypeConsumers(
                    new WorkerPool(type, config),
                    control,
                    deliveries,
                    config.rabbitmq().prefetchFor(config.timeoutOf(type)),
                    () -> running);
            types.put(type, consumers);
            consumers.start();
        }
        // why: the broker may be down when the worker starts; consumers attach whenever it is up
        background = QueueThreads.start(
                "chute-rabbit-connect", this::connect, "chute-rabbit-scale", SCALE_EVERY, this::maintain);
    }

    @Override
    public synchronized void stop(Duration grace) {
        if (!running) {
            return;
        }
        running = false;
        background.stop();
        types.values().forEach(TypeConsumers::cancelAll);
        // why: a job claimed must reach a worker slot before the slots stop taking work
        types.values().forEach(TypeConsumers::stopClaiming);
        long deadline = System.nanoTime() + grace.toNanos();
        boolean drained = true;
        for (TypeConsumers t : types.values()) {
            drained &= t.workers.awaitIdle(deadline);
        }
        if (!drained) {
            log.warn("Jobs still running after the grace period; releasing them to other workers");
            runner.interruptAll();
            // why: the released jobs still need their outbox rows and acks before the channels close
            long settle = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            types.values().forEach(t -> t.workers.awaitIdle(settle));
        }
        types.values().forEach(t -> t.workers.shutdownNow());
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
        return WorkerPool.activeByType(
                types.values().stream().map(t -> t.workers).toList());
    }

    /** Jobs the safety net re-published because they had no message anywhere; zero in normal operation. */
    public long rescued() {
        return sweep.rescued();
    }

    private void connect() {
        Duration backoff = Duration.ofMillis(200);
        while (running) {
            Connection c = null;
            try {
                c = broker.connect("chute-jobs " + runner.workerId(), true);
                Channel ch = c.createChannel();
                RabbitTopology.declareShared(ch);
                control.use(ch);
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
                            log.warn(
                                    "Lost the connection to RabbitMQ {}; reconnecting (running jobs finish, their messages come back)",
                                    broker);
                        }
                    });
                }
                log.info("Consuming {} from RabbitMQ {}", types.keySet(), broker);
                return;
            } catch (IOException | TimeoutException | RuntimeException e) {
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
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0
                        ? Duration.ofSeconds(5)
                        : backoff.multipliedBy(2);
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
        if (sweep.due()) {
            try {
                sweep.sweep(control.on(c), types.values());
            } catch (IOException | RuntimeException e) {
                log.debug("Looking for jobs without a message failed; retrying: {}", e.toString());
            }
        }
    }
}
