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
 * receipts and history cursors. {@code content} is the sender's plain text, as sent.
 */
record MessageView(UUID id, UUID channelId, long seq, UUID senderId, String content, List<AttachmentView> attachments,
        String clientMessageId, Instant createdAt) {

    /** An attached file and where its processing stands; {@code outputs} carry short-lived signed URLs. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record AttachmentView(UUID uploadId, String fileName, long size, String detectedType, UUID jobId, JobStatus status,
            Map<String, JobView.OutputView> outputs, String sha256) {

        AttachmentView(UUID uploadId, String fileName, long size, String detectedType, UUID jobId, JobStatus status,
                Map<String, JobView.OutputView> outputs) {
            this(uploadId, fileName, size, detectedType, jobId, status, outputs, null);
        }
    }
}
