package io.chute.job;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A job as stored: what to do, to which object, and where it stands. {@code traceParent} is the
 * W3C traceparent of the request that made it (null when tracing is off): see {@link JobTracing}.
 */
public record Job(
        JobId id,
        UUID ownerId,
        UUID uploadId,
        UUID parentId,
        String type,
        JobStatus status,
        int priority,
        String fileName,
        Long fileSize,
        String detectedType,
        String objectKey,
        Map<String, Output> outputs,
        Map<String, Object> metadata,
        int progress,
        int attempts,
        int maxAttempts,
        Instant runAt,
        Instant nextRetryAt,
        String error,
        String leaseOwner,
        long version,
        Instant createdAt,
        Instant startedAt,
        Instant completedAt,
        Instant failedAt,
        String traceParent) {}
