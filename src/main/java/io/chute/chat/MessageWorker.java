package io.chute.chat;

import io.chute.realtime.Events;
import io.chute.realtime.IncomingHandler;
import io.chute.realtime.Route;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
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

    MessageWorker(Channels channels, Messages messages, ReceiptPointers pointers, MessageViews views, Events events,
            TransactionTemplate tx, JsonMapper json) {
        this.channels = channels;
        this.messages = messages;
        this.pointers = pointers;
        this.views = views;
        this.events = events;
        this.tx = tx;
        this.json = json;
    }

    /** What travels on the incoming lane: a checked {@link MessageDraft} and its sender. */
    record SendCommand(UUID senderId, UUID channelId, String content, String clientMessageId, List<UUID> attachments) {}

    @Override
    public String kind() {
        return KIND;
    }

    /** Runs in the incoming lane's transaction (one per batch), or in its own; it must not fail on a duplicate. */
    @Override
    public void handle(JsonNode command) {
        SendCommand send = json.treeToValue(command, SendCommand.class);
        tx.executeWithoutResult(s -> persist(send));
    }

    private void persist(SendCommand send) {
        if (!channels.isMember(send.channelId(), send.senderId())) {
            log.debug("Dropped a message of {} to {}: not a member (any more)", send.senderId(), send.channelId());
            return;
        }
        // why: the channel row's lock serialises the channel's writers, so seqs follow commit order without gaps
        long seq = channels.nextSeq(send.channelId());
        // why: microseconds, as PostgreSQL stores them, so the event and a later read of the row agree
        Messages.Message message = new Messages.Message(UUID.randomUUID(), send.channelId(), seq, send.senderId(),
                send.clientMessageId(), send.content() == null ? "" : send.content(), Instant.now().truncatedTo(ChronoUnit.MICROS));
        // why: a conflict does nothing rather than fail, since a failed statement would abort the whole batch's transaction
        if (!messages.insertOnce(message)) {
            channels.giveBackSeq(send.channelId());
            log.debug("Message {} of {} already stored", send.clientMessageId(), send.senderId());
            return;
        }
        int attached = messages.attach(message.id(), send.channelId(), send.senderId(),
                send.attachments() == null ? List.of() : send.attachments());
        // sending a message implies having read the channel up to it
        pointers.read(send.channelId(), send.senderId(), seq);
        events.publish(Route.channel(send.channelId()), "message.created", attached == 0 ? views.plain(message) : views.of(message));
    }
}
