package io.chute.chat;

import io.chute.config.ChuteProperties;
import io.chute.realtime.Events;
import io.chute.realtime.Route;
import io.chute.realtime.SocketListener;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Delivery receipts. The socket thread only records "this member got this channel up to seq N"
 * in memory (the highest N wins); every {@code chute.chat.receipt-flush-interval} one statement
 * moves all the pointers that advanced, and the senders of the messages each move covers get one
 * {@code message.receipt}, all appended to the replay log with one more statement. A 50-member
 * group thus costs no database write on the socket thread and three statements per interval,
 * whatever the message rate. A failed write is retried at the
 * next flush; a node that dies loses at most one interval of delivered marks, never a read mark.
 */
@Component
class DeliveryReceipts implements SocketListener {

    private static final Logger log = LoggerFactory.getLogger(DeliveryReceipts.class);

    private final ReceiptPointers pointers;
    private final Events events;
    private final TransactionTemplate tx;
    private final Map<Key, Pending> pending = new ConcurrentHashMap<>();
    private final long flushEvery;
    private ScheduledExecutorService timer;

    DeliveryReceipts(ReceiptPointers pointers, Events events, TransactionTemplate tx, ChuteProperties properties) {
        this.pointers = pointers;
        this.events = events;
        this.tx = tx;
        this.flushEvery = properties.chat().receiptFlushInterval().toMillis();
    }

    @PostConstruct
    void start() {
        timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("chute-receipts").daemon().factory());
        timer.scheduleWithFixedDelay(this::flushQuietly, flushEvery, flushEvery, TimeUnit.MILLISECONDS);
    }

    private record Key(UUID channelId, UUID userId) {}

    private record Pending(long seq, UUID messageId) {}

    @Override
    public void delivered(UUID userId, String type, JsonNode data) {
        if (!"message.created".equals(type) || data == null) {
            return;
        }
        UUID sender = uuid(data.get("senderId"));
        UUID channel = uuid(data.get("channelId"));
        UUID message = uuid(data.get("id"));
        JsonNode seq = data.get("seq");
        if (sender == null
                || channel == null
                || message == null
                || seq == null
                || !seq.canConvertToLong()
                || sender.equals(userId)) {
            return;
        }
        pending.merge(
                new Key(channel, userId), new Pending(seq.asLong(), message), (a, b) -> a.seq() >= b.seq() ? a : b);
    }

    /** Writes what was delivered since the last flush, and tells the senders. */
    void flush() {
        if (pending.isEmpty()) {
            return;
        }
        List<Map.Entry<Key, Pending>> batch = new ArrayList<>();
        for (Key key : List.copyOf(pending.keySet())) {
            Pending p = pending.remove(key);
            if (p != null) {
                batch.add(Map.entry(key, p));
            }
        }
        // why: a fixed lock order, so that two nodes flushing overlapping batches cannot deadlock
        batch.sort(
                Comparator.comparing((Map.Entry<Key, Pending> e) -> e.getKey().channelId())
                        .thenComparing(e -> e.getKey().userId()));
        Map<Key, UUID> messageAt = new java.util.HashMap<>();
        batch.forEach(e -> messageAt.put(e.getKey(), e.getValue().messageId()));
        List<ReceiptPointers.Moved> moved;
        try {
            // why: its own short transaction, so the members' rows are locked for one statement only
            // (the chat worker moves senders' read pointers in those rows)
            moved = tx.execute(s -> pointers.delivered(
                    batch.stream().map(e -> e.getKey().channelId()).toList(),
                    batch.stream().map(e -> e.getKey().userId()).toList(),
                    batch.stream().map(e -> e.getValue().seq()).toList()));
        } catch (RuntimeException e) {
            // why: put the marks back (merged with newer ones) so that the next flush writes them
            batch.forEach(
                    entry -> pending.merge(entry.getKey(), entry.getValue(), (a, b) -> a.seq() >= b.seq() ? a : b));
            throw e;
        }
        List<List<UUID>> senders = pointers.sendersCoveredBy(moved);
        List<Events.Publication> receipts = new ArrayList<>();
        for (int i = 0; i < moved.size(); i++) {
            ReceiptPointers.Moved m = moved.get(i);
            var receipt = new ChatService.ReceiptEvent(
                    m.channelId(), messageAt.get(new Key(m.channelId(), m.userId())), m.userId(), m.at(), null);
            senders.get(i)
                    .forEach(sender ->
                            receipts.add(new Events.Publication(Route.user(sender), "message.receipt", receipt)));
        }
        // a node that dies here has moved the pointers without telling the senders: the receipts API still has them
        tx.executeWithoutResult(s -> events.publish(receipts));
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            log.warn("Could not write delivery receipts; the next flush retries them: {}", e.toString());
        }
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
        flushQuietly();
    }

    private static UUID uuid(JsonNode node) {
        try {
            return node == null || !node.isString() ? null : UUID.fromString(node.asString());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
