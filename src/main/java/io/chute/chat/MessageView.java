package io.chute.chat;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.chute.job.JobStatus;
import io.chute.job.JobView;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A message as clients see it (API.md), plus {@code seq}: its position in the channel, the unit of
 * receipts and history cursors. {@code content} is the sender's plain text, as sent (or last edited);
 * a deleted message is a tombstone (empty content and attachments, {@code deletedAt}). In events,
 * which all members share, a reaction's {@code me} is left out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record MessageView(
        UUID id,
        UUID channelId,
        long seq,
        UUID senderId,
        String content,
        List<AttachmentView> attachments,
        String clientMessageId,
        Instant createdAt,
        Instant editedAt,
        Instant deletedAt,
        ReplyView replyTo,
        List<ReactionView> reactions,
        List<UUID> mentions) {

    /** The message replied to, quoted: its first {@value #QUOTE} characters. */
    record ReplyView(UUID id, UUID senderId, String content) {}

    static final int QUOTE = 200;

    /** One emoji on a message: how many reacted, the first ten of them, and whether the viewer did. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ReactionView(String emoji, long count, List<UUID> userIds, Boolean me) {}

    /** An attached file and where its processing stands; {@code outputs} carry short-lived signed URLs. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record AttachmentView(
            UUID uploadId,
            String fileName,
            long size,
            String detectedType,
            UUID jobId,
            JobStatus status,
            Map<String, JobView.OutputView> outputs,
            String sha256) {

        AttachmentView(
                UUID uploadId,
                String fileName,
                long size,
                String detectedType,
                UUID jobId,
                JobStatus status,
                Map<String, JobView.OutputView> outputs) {
            this(uploadId, fileName, size, detectedType, jobId, status, outputs, null);
        }
    }
}
