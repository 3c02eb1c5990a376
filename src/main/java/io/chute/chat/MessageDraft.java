package io.chute.chat;

import static io.chute.common.InvalidInputException.require;

import io.chute.config.ChuteProperties;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A message a client asks to send, checked: {@code content} is required unless there are
 * attachments, at most {@code maxMessageLength} characters, plain text kept exactly as sent
 * (line breaks and tabs allowed, other control characters refused); {@code clientMessageId} is
 * 1-64 visible ASCII characters, the client's idempotency key; {@code attachments} are distinct
 * upload ids, at most {@code maxAttachments}; {@code replyTo}, if any, a message of the same channel
 * (checked when sent).
 */
record MessageDraft(UUID channelId, String content, String clientMessageId, List<UUID> attachments, UUID replyTo) {

    static final int MAX_CLIENT_ID = 64;

    MessageDraft {
        require(channelId != null, "channelId is required");
        require(clientMessageId != null && !clientMessageId.isEmpty(), "clientMessageId is required");
        require(
                clientMessageId.length() <= MAX_CLIENT_ID,
                "clientMessageId must be at most " + MAX_CLIENT_ID + " characters");
        require(
                clientMessageId.chars().allMatch(c -> c > 0x20 && c < 0x7f),
                "clientMessageId must be visible ASCII characters, e.g. a UUID");
        attachments = attachments == null ? List.of() : attachments;
        require(attachments.stream().allMatch(Objects::nonNull), "attachments must not contain null");
        attachments = List.copyOf(new LinkedHashSet<>(attachments));
        content = content == null ? "" : content;
        require(!content.isBlank() || !attachments.isEmpty(), "content is required unless the message has attachments");
        // why: isISOControl covers C1 (U+0080-U+009F) as well as C0 and DEL
        require(
                content.chars().allMatch(c -> !Character.isISOControl(c) || c == '\n' || c == '\r' || c == '\t'),
                "content must not contain control characters other than line breaks and tabs");
    }

    MessageDraft(UUID channelId, String content, String clientMessageId, List<UUID> attachments) {
        this(channelId, content, clientMessageId, attachments, null);
    }

    /** Checks the configured limits; the constructor checks the rest. */
    static MessageDraft of(
            UUID channelId,
            String content,
            String clientMessageId,
            List<UUID> attachments,
            ChuteProperties.Chat limits) {
        return of(channelId, content, clientMessageId, attachments, null, limits);
    }

    /** New content for a stored message, checked as a new message's is (without attachments). */
    static String editedContent(String content, ChuteProperties.Chat limits) {
        return of(new UUID(0, 0), content, "edit", List.of(), null, limits).content();
    }

    static MessageDraft of(
            UUID channelId,
            String content,
            String clientMessageId,
            List<UUID> attachments,
            UUID replyTo,
            ChuteProperties.Chat limits) {
        MessageDraft draft = new MessageDraft(channelId, content, clientMessageId, attachments, replyTo);
        require(
                draft.content().length() <= limits.maxMessageLength(),
                "content must be at most " + limits.maxMessageLength() + " characters");
        require(
                draft.attachments().size() <= limits.maxAttachments(),
                "a message takes at most " + limits.maxAttachments() + " attachments");
        return draft;
    }
}
