package io.chute.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.chute.storage.ObjectStore;
import io.chute.storage.PublicUrls;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** A job as the API shows it: the record of API.md, outputs with short-lived signed URLs. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(
        UUID jobId,
        String type,
        JobStatus status,
        UUID uploadId,
        String fileName,
        Long fileSize,
        String detectedType,
        int priority,
        Instant createdAt,
        Instant startedAt,
        Instant completedAt,
        Instant failedAt,
        int progress,
        int attempts,
        int maxAttempts,
        Instant nextRetryAt,
        String error,
        Map<String, OutputView> outputs,
        Map<String, Object> metadata,
        UUID parentId,
        String sha256) {

    /** The metadata key of the SHA-256 (hex) of the upload a job processes. */
    public static final String SHA256 = "sha256";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record OutputView(String key, long size, String contentType, String url, Integer width, Integer height) {}

    public static JobView of(Job job, ObjectStore store, Duration urlTtl) {
        Map<String, OutputView> outputs = new LinkedHashMap<>();
        if (job.status() == JobStatus.COMPLETED) {
            job.outputs()
                    .forEach((name, o) -> outputs.put(
                            name,
                            new OutputView(
                                    o.key(),
                                    o.size(),
                                    o.contentType(),
                                    PublicUrls.absolute(store.presignGet(
                                                    o.key(), o.contentType(), downloadName(job, name, o), urlTtl))
                                            .toString(),
                                    o.width(),
                                    o.height())));
        }
        return new JobView(
                job.id().value(),
                job.type(),
                job.status(),
                job.uploadId(),
                job.fileName(),
                job.fileSize(),
                job.detectedType(),
                job.priority(),
                job.createdAt(),
                job.startedAt(),
                job.completedAt(),
                job.failedAt(),
                job.progress(),
                job.attempts(),
                job.maxAttempts(),
                job.nextRetryAt(),
                job.error(),
                outputs,
                job.metadata(),
                job.parentId(),
                job.metadata().get(SHA256) instanceof String hex ? hex : null);
    }

    private static String downloadName(Job job, String name, Output output) {
        String base =
                job.fileName() == null ? job.id().toString() : job.fileName().replaceFirst("\\.[^.]*$", "");
        String extension = switch (output.contentType()) {
            case "image/jpeg" -> ".jpg";
            case "image/png" -> ".png";
            case "text/plain", "text/plain; charset=utf-8" -> ".txt";
            case "application/zip" -> ".zip";
            default -> "";
        };
        return base + "-" + name + extension;
    }
}
