package io.chute.chat;

import io.chute.common.AfterCommit;
import io.chute.realtime.Events;
import io.chute.realtime.IncomingHandler;
import io.chute.realtime.Route;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The chat worker: persists each submitted message once per (sender, clientMessageId) and, in
 * the same transaction, publishes its {@code message.created} to the channel. A redelivered
 * command finds its message and does nothing; a sender who left the channel meanwhile sends
 * nothing.
 */
@Component
class MessageWorker implements IncomingHandler {

    static final String KIND = "message.send";
    private static final Logger log = LoggerFactory.getLogger(MessageWorker.class);

    private final Channels channels;
    private final Messages messages;
    private final ReceiptPointers pointers;
    private final MessageViews views;
    private final Events events;
    private final TransactionTemplate tx;
    private final JsonMapper json;
    private final Counter stored;
    private final Mentions mentions;

    MessageWorker(
            Channels channels,
            Messages messages,
            ReceiptPointers pointers,
            MessageViews views,
            Events events,
            TransactionTemplate tx,
            JsonMapper json,
            MeterRegistry meters,
            Mentions mentions) {
        this.mentions = mentions;
        this.channels = channels;
        this.messages = messages;
        this.pointers = pointers;
        this.views = views;
        this.events = events;
        this.tx = tx;
        this.json = json;
        this.stored = Counter.builder("chat.messages")
                .description("chat messages stored")
                .register(meters);
    }

    /** What travels on the incoming lane: a checked {@link MessageDraft} and its sender. */
    record SendCommand(
            UUID senderId,
            UUID channelId,
            String content,
            String clientMessageId,
            List<UUID> attachments,
            UUID replyTo) {}

    @Override
    public String kind() {
        return KIND;
    }

    /** Runs in the incoming lane's transaction (one per batch), or in its own; it must not fail on a duplicate. */
    @Override
    public void handle(JsonNode command) {
        handleAll(List.of(command));
    }

    /**
     * A batch in a few statements whatever its size: one query for membership and duplicates, one
     * seq update per channel, one insert, one read-pointer update for every sender, one insert into
     * the replay log. A command whose sender left the channel meanwhile sends nothing;
     * a redelivered one finds its message and does nothing.
     */
    @Override
    public void handleAll(List<JsonNode> commands) {
        List<SendCommand> sends = commands.stream()
                .map(c -> json.treeToValue(c, SendCommand.class))
                .toList();
        tx.executeWithoutResult(s -> persistAll(sends));
    }

    private void persistAll(List<SendCommand> sends) {
        Messages.SendChecks checks = messages.checksOf(
                sends.stream().map(SendCommand::channelId).toList(),
                sends.stream().map(SendCommand::senderId).toList(),
                sends.stream().map(SendCommand::clientMessageId).toList());
        Set<String> members = checks.memberships();
        Set<String> seen = new HashSet<>(checks.stored());
        List<SendCommand> fresh = new ArrayList<>();
        for (SendCommand send : sends) {
            if (!members.contains(send.channelId() + "/" + send.senderId())) {
                log.debug("Dropped a message of {} to {}: not a member (any more)", send.senderId(), send.channelId());
            } else if (!seen.add(send.senderId() + "/" + send.clientMessageId())) {
                log.debug("Message {} of {} already stored", send.clientMessageId(), send.senderId());
            } else {
                fresh.add(send);
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        // why: channel rows locked in one order (by id), seqs handed out in submission order within each channel
        Map<UUID, Long> counts = new TreeMap<>();
        fresh.forEach(f -> counts.merge(f.channelId(), 1L, Long::sum));
        Map<UUID, Long> next = new HashMap<>();
        counts.forEach((channel, n) -> next.put(channel, channels.nextSeqs(channel, n.intValue()) - n + 1));
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Mentions.Resolved mentioned = mentions.resolve(
                fresh.stream().map(f -> Map.entry(f.channelId(), contentOf(f))).toList());
        List<Messages.Message> batch = new ArrayList<>(fresh.size());
        // why: members' rows locked in (channel, user) order, the order delivery receipts lock them in: no deadlock
        // between the two
        Map<String, Long> lastOfSender = new TreeMap<>();
        for (SendCommand f : fresh) {
            long seq = next.merge(f.channelId(), 1L, Long::sum) - 1;
            batch.add(Messages.Message.fresh(
                    UUID.randomUUID(),
                    f.channelId(),
                    seq,
                    f.senderId(),
                    f.clientMessageId(),
                    contentOf(f),
                    now,
                    f.replyTo(),
                    mentioned.in(f.channelId(), contentOf(f))));
            lastOfSender.put(f.channelId() + "/" + f.senderId(), seq);
        }
        if (messages.insertAll(batch) != batch.size()) {
            if (batch.size() > 1) {
                // why: someone stored one of them meanwhile; rolling back has the bus run the batch one command at a
                // time
                throw new IllegalStateException("a message of the batch was stored concurrently");
            }
            // the same message, sent twice at once, was stored by the other: give back its seq, so that it is not a gap
            channels.giveBackSeq(batch.getFirst().channelId());
            return;
        }
        List<Events.Publication> created = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Messages.Message m = batch.get(i);
            SendCommand f = fresh.get(i);
            int attached = messages.attach(
                    m.id(), m.channelId(), m.senderId(), f.attachments() == null ? List.of() : f.attachments());
            boolean plain = attached == 0 && m.replyTo() == null;
            created.add(new Events.Publication(
                    Route.channel(m.channelId()), "message.created", plain ? views.plain(m) : views.of(m)));
        }
        // sending a message implies having read the channel up to it
        List<UUID> readChannels = new ArrayList<>();
        List<UUID> readers = new ArrayList<>();
        List<Long> readSeqs = new ArrayList<>();
        lastOfSender.forEach((key, seq) -> {
            String[] parts = key.split("/");
            readChannels.add(UUID.fromString(parts[0]));
            readers.add(UUID.fromString(parts[1]));
            readSeqs.add(seq);
        });
        pointers.readAll(readChannels, readers, readSeqs);
        events.publish(created);
        AfterCommit.run(() -> stored.increment(batch.size()));
    }

    private static String contentOf(SendCommand send) {
        return send.content() == null ? "" : send.content();
    }
}
