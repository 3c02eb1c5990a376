package io.chute.upload;

import java.time.Instant;
import java.util.UUID;

/** A file a user declared, then sent to storage; {@code state} says how far it got. */
record Upload(
        UUID id,
        UUID ownerId,
        String fileName,
        long size,
        String contentType,
        String detectedType,
        String objectKey,
        UploadState state,
        UUID channelId,
        Instant expiresAt,
        Instant createdAt,
        Instant completedAt,
        UUID jobId,
        String multipartId,
        Long partSize,
        Integer partCount,
        String declaredSha256,
        String sha256) {

    Upload(
            UUID id,
            UUID ownerId,
            String fileName,
            long size,
            String contentType,
            String detectedType,
            String objectKey,
            UploadState state,
            UUID channelId,
            Instant expiresAt,
            Instant createdAt,
            Instant completedAt,
            UUID jobId) {
        this(
                id,
                ownerId,
                fileName,
                size,
                contentType,
                detectedType,
                objectKey,
                state,
                channelId,
                expiresAt,
                createdAt,
                completedAt,
                jobId,
                null,
                null,
                null,
                null,
                null);
    }

    boolean isMultipart() {
        return multipartId != null;
    }

    /** The exact size of part {@code n} (1-based) of a multipart upload: the plan's part size, the last one the rest. */
    long sizeOfPart(int n) {
        return n < partCount ? partSize : size - (long) (partCount - 1) * partSize;
    }

    static String objectKeyFor(UUID ownerId, UUID uploadId) {
        return "uploads/" + ownerId + "/" + uploadId;
    }
}
