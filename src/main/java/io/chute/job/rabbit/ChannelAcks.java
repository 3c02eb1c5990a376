package io.chute.job.rabbit;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles the deliveries of one consumer channel, in as few frames as it can without holding
 * any back: settlements that come in while another is being sent are sent together next, the
 * acknowledgements among them that complete a run from the oldest unsettled delivery as one
 * {@code basicAck(tag, multiple=true)}, the rest one by one. A long job's delivery therefore
 * never delays the acknowledgements of the others. Negative ones (requeue, dead-letter) go before
 * the multiple acknowledgement of the same round, so that it never covers them.
 *
 * <p>Hand-written: the RabbitMQ client sends exactly the frames it is given, and Spring AMQP's
 * batching acknowledges only contiguous runs of one consumer's own deliveries.
 */
final class ChannelAcks {

    private static final Logger log = LoggerFactory.getLogger(ChannelAcks.class);

    private enum Kind {
        ACK,
        REJECT,
        REQUEUE
    }

    private record Settlement(Kind kind, long tag, boolean multiple) {}

    private final Channel channel;
    private final String type;
    // guarded by this
    private final NavigableSet<Long> unsettled = new TreeSet<>();
    private final NavigableSet<Long> acked = new TreeSet<>();
    private final List<Settlement> negative = new ArrayList<>();
    private boolean sending;

    ChannelAcks(Channel channel, String type) {
        this.channel = channel;
        this.type = type;
    }

    /** False once the channel is closed: the broker has put its deliveries back, and their tags mean nothing. */
    boolean open() {
        return channel.isOpen();
    }

    /** A delivery arrived on this channel; call before it can be settled. */
    synchronized void delivered(long tag) {
        unsettled.add(tag);
    }

    void ack(long tag) {
        synchronized (this) {
            acked.add(tag);
        }
        send();
    }

    /** Into the dead-letter queue. */
    void reject(long tag) {
        negative(new Settlement(Kind.REJECT, tag, false));
    }

    /** Back to the queue, for any consumer. */
    void requeue(long tag) {
        negative(new Settlement(Kind.REQUEUE, tag, false));
    }

    private void negative(Settlement s) {
        synchronized (this) {
            negative.add(s);
        }
        send();
    }

    /** Sends what is waiting, unless another thread is sending: that one sends it next. */
    private void send() {
        while (true) {
            List<Settlement> round;
            synchronized (this) {
                if (sending || (acked.isEmpty() && negative.isEmpty())) {
                    return;
                }
                sending = true;
                round = nextRound();
            }
            try {
                round.forEach(this::transmit);
            } finally {
                synchronized (this) {
                    sending = false;
                }
            }
        }
    }

    /** The frames for what is waiting: negative ones, then one multiple ack for a run from the oldest, then the rest. */
    private List<Settlement> nextRound() {
        List<Settlement> round = new ArrayList<>(negative);
        negative.forEach(s -> unsettled.remove(s.tag()));
        negative.clear();
        long upTo = -1;
        int run = 0;
        while (!unsettled.isEmpty() && acked.remove(unsettled.first())) {
            upTo = unsettled.pollFirst();
            run++;
        }
        if (upTo >= 0) {
            round.add(new Settlement(Kind.ACK, upTo, run > 1));
        }
        for (long tag : acked) {
            unsettled.remove(tag);
            round.add(new Settlement(Kind.ACK, tag, false));
        }
        acked.clear();
        return round;
    }

    private void transmit(Settlement s) {
        try {
            switch (s.kind()) {
                case ACK -> channel.basicAck(s.tag(), s.multiple());
                case REJECT -> channel.basicReject(s.tag(), false);
                case REQUEUE -> channel.basicNack(s.tag(), false, true);
            }
        } catch (IOException | RuntimeException e) {
            // the channel or connection is gone: the broker delivers it again, and its claim finds it done
            log.debug("Could not settle a {} delivery ({}): {}", type, s, e.toString());
        }
    }
}
