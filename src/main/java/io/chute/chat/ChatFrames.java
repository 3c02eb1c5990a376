package io.chute.chat;

import io.chute.common.ApiException;
import io.chute.common.InvalidInputException;
import io.chute.config.ChuteProperties;
import io.chute.realtime.Events;
import io.chute.realtime.FrameHandler;
import io.chute.realtime.Route;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The chat frames a client sends over its socket: {@code message.send} (acked with its
 * {@code clientMessageId} once submitted; the message comes back as {@code message.created}),
 * {@code typing} (relayed to the channel's other members, rate limited, expiring by itself) and
 * {@code read}; {@code message.edit}, {@code message.delete} and {@code reaction} as their REST calls. A frame's problems come back as error frames with the HTTP status REST would give.
 */
@Component
class ChatFrames implements FrameHandler {

    private final ChatService chat;
    private final Events events;
    private final JsonMapper json;
    private final ChuteProperties.Chat config;
    private final TypingState typing;
    private ScheduledExecutorService timer;

    ChatFrames(ChatService chat, Events events, JsonMapper json, ChuteProperties properties) {
        this.chat = chat;
        this.events = events;
        this.json = json;
        this.config = properties.chat();
        this.typing = new TypingState(config.typingInterval(), config.typingExpiry());
    }

    @PostConstruct
    void start() {
        timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("chute-typing").daemon().factory());
        timer.scheduleWithFixedDelay(this::expireTyping, 500, 500, TimeUnit.MILLISECONDS);
    }

    record SendFrame(UUID channelId, String content, String clientMessageId, List<UUID> attachments, UUID replyTo) {}

    record EditFrame(UUID messageId, String content) {}

    record DeleteFrame(UUID messageId) {}

    record ReactionFrame(UUID messageId, String emoji, Boolean added) {}

    record TypingFrame(UUID channelId, Boolean typing) {}

    record ReadFrame(UUID channelId, UUID messageId) {}

    /** What the channel's other members receive. */
    record TypingEvent(UUID channelId, UUID userId, boolean typing) {}

    @Override
    public Set<String> types() {
        return Set.of("message.send", "typing", "read", "message.edit", "message.delete", "reaction");
    }

    @Override
    public Object handle(UUID userId, String type, JsonNode data) {
        try {
            return switch (type) {
                case "message.send" -> {
                    SendFrame f = read(data, SendFrame.class);
                    MessageDraft draft = MessageDraft.of(
                            f.channelId(), f.content(), f.clientMessageId(), f.attachments(), f.replyTo(), config);
                    yield chat.sendAsync(userId, draft)
                            .thenApply(v -> Map.of("clientMessageId", draft.clientMessageId()));
                }
                case "typing" -> typing(userId, read(data, TypingFrame.class));
                case "read" -> {
                    ReadFrame f = read(data, ReadFrame.class);
                    InvalidInputException.require(
                            f.channelId() != null && f.messageId() != null, "channelId and messageId are required");
                    chat.read(userId, f.channelId(), f.messageId());
                    yield null;
                }
                case "message.edit" -> {
                    EditFrame f = read(data, EditFrame.class);
                    InvalidInputException.require(f.messageId() != null, "messageId is required");
                    yield chat.edit(userId, f.messageId(), f.content());
                }
                case "message.delete" -> {
                    DeleteFrame f = read(data, DeleteFrame.class);
                    InvalidInputException.require(f.messageId() != null, "messageId is required");
                    chat.delete(userId, f.messageId());
                    yield null;
                }
                case "reaction" -> {
                    ReactionFrame f = read(data, ReactionFrame.class);
                    InvalidInputException.require(
                            f.messageId() != null && f.added() != null, "messageId and added are required");
                    chat.react(userId, f.messageId(), f.emoji(), f.added());
                    yield null;
                }
                default -> throw ApiException.badRequest("Unknown frame type " + type);
            };
        } catch (InvalidInputException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private Map<String, Object> typing(UUID userId, TypingFrame f) {
        InvalidInputException.require(f.channelId() != null && f.typing() != null, "channelId and typing are required");
        TypingState.Key key = new TypingState.Key(userId, f.channelId());
        boolean relay = f.typing() ? typing.start(key, System.nanoTime()) : typing.stop(key);
        if (relay) {
            try {
                chat.memberOf(userId, f.channelId());
            } catch (ApiException notAMember) {
                typing.stop(key);
                throw notAMember;
            }
            events.signal(
                    Route.channel(f.channelId()), "typing", new TypingEvent(f.channelId(), userId, f.typing()), userId);
        }
        return Map.of("relayed", relay);
    }

    private void expireTyping() {
        for (TypingState.Key key : typing.expire(System.nanoTime())) {
            try {
                events.signal(
                        Route.channel(key.channelId()),
                        "typing",
                        new TypingEvent(key.channelId(), key.userId(), false),
                        key.userId());
            } catch (RuntimeException e) {
                // the clients' own expiry covers a lost typing:false
            }
        }
    }

    private <T> T read(JsonNode data, Class<T> type) {
        if (data == null || !data.isObject()) {
            throw ApiException.badRequest("data must be a JSON object");
        }
        try {
            return json.treeToValue(data, type);
        } catch (JacksonException e) {
            throw ApiException.badRequest("data is not valid for this frame type");
        }
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }
}
