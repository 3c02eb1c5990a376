package io.chute.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** A file uploaded through the signed lane, and its job, for the end-to-end tests of every feature. */
public final class TestUploads {

    private TestUploads() {}

    /**
     * Signs, PUTs and completes {@code file} as {@code name}, checking each answer on the way;
     * returns the 202 body of the complete ({@code jobId}, {@code statusUrl}…).
     */
    public static Map<String, Object> signedUpload(TestClient user, Path file, String name) {
        try {
            TestClient.Response signed = user.post(
                    "/api/uploads", Map.of("fileName", name, "size", Files.size(file), "contentType", "image/jpeg"));
            assertThat(signed.status()).isEqualTo(201);
            Map<String, Object> body = signed.json();
            assertThat(body)
                    .containsKeys("uploadId", "url", "headers", "expiresAt")
                    .containsEntry("method", "PUT");

            TestClient.Response put = user.put((String) body.get("url"), headers(body), file);
            assertThat(put.status()).isEqualTo(200);
            assertThat(put.header("ETag")).isNotBlank();

            TestClient.Response complete = user.post("/api/uploads/" + body.get("uploadId") + "/complete", Map.of());
            assertThat(complete.status()).isEqualTo(202);
            assertThat(complete.json())
                    .containsEntry("status", "PENDING")
                    .containsEntry("uploadId", body.get("uploadId"));
            return complete.json();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Uploads {@code jpeg} through the signed lane and returns the 202 body of its complete. */
    public static Map<String, Object> acceptedJob(TestClient user, Path jpeg) {
        return signedUpload(user, jpeg, jpeg.getFileName().toString());
    }

    /** Uploads a small JPEG through the signed lane and returns the 202 body of its complete. */
    public static Map<String, Object> acceptedJob(TestClient user) {
        try {
            Path dir = Files.createTempDirectory("chute-upload-");
            return signedUpload(user, Images.jpeg(dir, 120, 90), "small.jpg");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The headers a signed upload URL must be sent with, from the answer that signed it. */
    @SuppressWarnings("unchecked")
    public static Map<String, String> headers(Map<String, Object> signed) {
        return (Map<String, String>) signed.get("headers");
    }

    /** Waits until the job of a 202 answer is COMPLETED (failing at once if it ends otherwise) and returns it. */
    public static Map<String, Object> completedJob(TestClient user, Map<String, Object> accepted) {
        String statusUrl = (String) accepted.get("statusUrl");
        assertThat(statusUrl).isEqualTo("/api/jobs/" + accepted.get("jobId"));
        return await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> user.get(statusUrl).json(), job -> {
                    assertThat(job.get("status")).isNotIn("FAILED", "REJECTED", "CANCELLED");
                    return "COMPLETED".equals(job.get("status"));
                });
    }
}
