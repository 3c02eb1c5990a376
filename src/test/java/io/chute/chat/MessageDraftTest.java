package io.chute.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chute.common.InvalidInputException;
import io.chute.config.ChuteProperties;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MessageDraftTest {

    private static final UUID CHANNEL = UUID.randomUUID();
    private static final ChuteProperties.Chat LIMITS = new ChuteProperties.Chat(
            10,
            2,
            Duration.ofSeconds(5),
            Duration.ofSeconds(5),
            Duration.ofSeconds(1),
            Duration.ofSeconds(6),
            Duration.ofMillis(200));

    @Test
    void keepsContentExactlyAsSent() {
        MessageDraft draft = MessageDraft.of(CHANNEL, " <b>a</b>\n", "id-1", null, LIMITS);
        assertThat(draft.content()).isEqualTo(" <b>a</b>\n");
        assertThat(draft.attachments()).isEmpty();
    }

    @Test
    void contentIsOptionalOnlyWithAttachments() {
        UUID upload = UUID.randomUUID();
        assertThat(MessageDraft.of(CHANNEL, null, "id-1", List.of(upload, upload), LIMITS)
                        .attachments())
                .containsExactly(upload);
        assertRefused(() -> MessageDraft.of(CHANNEL, null, "id-1", List.of(), LIMITS), "content is required");
        assertRefused(() -> MessageDraft.of(CHANNEL, "  \n", "id-1", null, LIMITS), "content is required");
    }

    @Test
    void refusesContentOverTheLimitOrWithControlCharacters() {
        assertThat(MessageDraft.of(CHANNEL, "x".repeat(10), "id", null, LIMITS).content())
                .hasSize(10);
        assertRefused(() -> MessageDraft.of(CHANNEL, "x".repeat(11), "id", null, LIMITS), "at most 10 characters");
        assertRefused(() -> MessageDraft.of(CHANNEL, "a\u0000b", "id", null, LIMITS), "control characters");
        assertRefused(() -> MessageDraft.of(CHANNEL, "a\u001bb", "id", null, LIMITS), "control characters");
    }

    @Test
    void refusesMissingLongOrInvisibleClientMessageIds() {
        assertRefused(() -> MessageDraft.of(CHANNEL, "hi", null, null, LIMITS), "clientMessageId is required");
        assertRefused(() -> MessageDraft.of(CHANNEL, "hi", "", null, LIMITS), "clientMessageId is required");
        assertRefused(() -> MessageDraft.of(CHANNEL, "hi", "x".repeat(65), null, LIMITS), "at most 64");
        assertRefused(() -> MessageDraft.of(CHANNEL, "hi", "a b", null, LIMITS), "visible ASCII");
        assertRefused(() -> MessageDraft.of(CHANNEL, "hi", "é", null, LIMITS), "visible ASCII");
        assertThat(MessageDraft.of(CHANNEL, "hi", UUID.randomUUID().toString(), null, LIMITS))
                .isNotNull();
    }

    @Test
    void refusesTooManyOrNullAttachmentsAndAMissingChannel() {
        List<UUID> three = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        assertRefused(() -> MessageDraft.of(CHANNEL, "hi", "id", three, LIMITS), "at most 2 attachments");
        assertRefused(() -> MessageDraft.of(CHANNEL, "hi", "id", Arrays.asList((UUID) null), LIMITS), "null");
        assertRefused(() -> MessageDraft.of(null, "hi", "id", null, LIMITS), "channelId");
    }

    private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String reason) {
        assertThatThrownBy(call).isInstanceOf(InvalidInputException.class).hasMessageContaining(reason);
    }
}
