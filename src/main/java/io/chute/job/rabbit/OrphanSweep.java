package io.chute.job.rabbit;

import com.rabbitmq.client.Channel;
import io.chute.config.ChuteProperties;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The safety net: re-publishes jobs that have waited past their time with nothing in their work
 * queue or the outbox (a message removed by hand, or dead-lettered by a broker-side delivery
 * limit). It logs every job it rescues, because in normal operation it finds none.
 */
final class OrphanSweep {

    private static final Logger log = LoggerFactory.getLogger(OrphanSweep.class);

    private final JobOutbox outbox;
    private final OutboxRelay relay;
    private final long graceSeconds;
    private final Duration every;
    private final AtomicLong rescued = new AtomicLong();
    private long last = System.nanoTime();

    OrphanSweep(JobOutbox outbox, OutboxRelay relay, ChuteProperties.Jobs config) {
        this.outbox = outbox;
        this.relay = relay;
        this.graceSeconds = Math.max(1, config.lease().toSeconds());
        this.every = config.lease().compareTo(Duration.ofSeconds(5)) > 0 ? config.lease() : Duration.ofSeconds(5);
    }

    /** True once per sweep interval (about the lease, at least five seconds). */
    boolean due() {
        if (System.nanoTime() - last > every.toNanos()) {
            last = System.nanoTime();
            return true;
        }
        return false;
    }

    void sweep(Channel ch, Collection<TypeConsumers> types) throws IOException {
        for (TypeConsumers t : types) {
            if (t.broken) {
                continue;
            }
            // why: while messages wait in the queue, jobs waiting in the table are expected
            if (ch.messageCount(t.queue) > 0) {
                continue;
            }
            int found = outbox.addOrphans(t.type, graceSeconds);
            if (found > 0) {
                rescued.addAndGet(found);
                relay.wake();
                log.warn(
                        "Re-published {} waiting {} jobs that had no message in RabbitMQ or the outbox", found, t.type);
            }
        }
    }

    long rescued() {
        return rescued.get();
    }
}
