package io.chute.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.support.EmbeddedChuteIT;
import io.chute.support.Images;
import io.chute.support.Multipart;
import io.chute.support.TestClient;
import io.chute.support.TestUploads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator's Prometheus reads from a running Chute (all roles, embedded backends) once files flow. */
class MetricsIT extends EmbeddedChuteIT {

    @TempDir
    Path dir;

    @Test
    void anImageUploadShowsInTheSeedNamedMetrics() {
        TestClient alice = newUser();
        double bytesBefore = scrape().sum("file_upload_bytes_total", Map.of());
        Path photo = Images.jpeg(dir, 640, 480);

        TestUploads.completedJob(alice, TestUploads.acceptedJob(alice, photo));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Scrape metrics = scrape();
            assertThat(metrics.sum("file_uploads_total", Map.of("lane", "signed", "result", "accepted")))
                    .isGreaterThanOrEqualTo(1);
            assertThat(metrics.sum("file_upload_bytes_total", Map.of()) - bytesBefore)
                    .isGreaterThanOrEqualTo(photo.toFile().length());
            assertThat(metrics.named("file_processing_duration_seconds_bucket"))
                    .anyMatch(s -> s.labels().get("type").equals("image")
                            && s.labels().get("result").equals("completed")
                            && s.labels().get("le").equals("+Inf")
                            && s.value() >= 1);
            assertThat(metrics.sum("jobs_completed_total", Map.of("type", "image", "result", "completed")))
                    .isGreaterThanOrEqualTo(1);
            assertThat(metrics.named("jobs_queue_depth"))
                    .anyMatch(s -> s.labels().equals(Map.of("type", "image", "status", "PENDING")));
            assertThat(metrics.named("jobs_queue_depth")).allMatch(s -> s.value() >= 0);
            assertThat(metrics.named("worker_utilization"))
                    .anyMatch(s -> s.labels().get("type").equals("image"))
                    .allMatch(s -> s.value() >= 0 && s.value() <= 1);
            assertThat(metrics.exports("chute_gateway_connections")).isTrue();
            assertThat(metrics.exports("jobs_outbox_lag_seconds")).isTrue();
        });
    }

    @Test
    void aRefusedDirectUploadIsCountedAsRejected() {
        TestClient bob = newUser();
        double before = scrape().sum("file_uploads_total", Map.of("lane", "direct", "result", "rejected"));

        Multipart empty = Multipart.file("file", "empty.bin", "application/octet-stream", emptyFile());
        assertThat(bob.postRaw("/api/upload", empty.contentType(), empty.body()).status())
                .isEqualTo(400);

        assertThat(scrape().sum("file_uploads_total", Map.of("lane", "direct", "result", "rejected")))
                .isEqualTo(before + 1);
    }

    @Test
    void chatMessagesAreCountedWhenTheWorkerStoresThem() {
        TestClient carol = newUser();
        double before = scrape().sum("chat_messages_total", Map.of());
        String dave = (String) newUser().get("/api/me").json().get("id");
        String channel = (String) carol.post("/api/channels", Map.of("name", "Ops", "memberIds", List.of(dave)))
                .json()
                .get("id");

        assertThat(carol.post(
                                "/api/channels/" + channel + "/messages",
                                Map.of("content", "hello", "clientMessageId", "m1"))
                        .status())
                .isBetween(200, 202);

        await().atMost(Duration.ofSeconds(30)).until(() -> scrape().sum("chat_messages_total", Map.of()) >= before + 1);
    }

    private Path emptyFile() {
        try {
            return Files.createFile(dir.resolve("empty.bin"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void apiRequestsAreObservedButNotSpringSecuritysFiltersOneByOne() {
        TestClient erin = newUser();
        double before = scrape().sum("http_server_requests_seconds_count", Map.of("uri", "/api/me", "status", "200"));

        assertThat(erin.get("/api/me").status()).isEqualTo(200);

        // why: the request's observation stops after its response has gone out, so the count may follow it closely
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Scrape metrics = scrape();
            assertThat(metrics.sum("http_server_requests_seconds_count", Map.of("uri", "/api/me", "status", "200")))
                    .isEqualTo(before + 1);
            assertThat(metrics.samples())
                    .as("Spring Security's own observations (a dozen per request) stay off")
                    .noneMatch(sample -> sample.name().startsWith("spring_security_"));
        });
    }

    private Scrape scrape() {
        TestClient.Response answer = anonymous().get("/actuator/prometheus");
        assertThat(answer.status()).isEqualTo(200);
        return Scrape.of(answer.body());
    }
}
