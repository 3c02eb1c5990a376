package io.chute.processing.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.storage.ObjectStore;
import io.chute.support.ChuteIT;
import io.chute.support.ClamdServer;
import io.chute.support.Eicar;
import io.chute.support.Images;
import io.chute.support.TestClient;
import io.chute.support.TestUploads;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole of Chute with virus scanning on, against a real clamd: an infected photo is
 * rejected and quarantined, a clean one is scanned then processed, and while clamd is down files
 * wait instead of passing unscanned.
 */
@ChuteIT({
    "chute.jobs.backoff-base=200ms",
    "chute.jobs.poll-interval=500ms",
    // why: enough attempts that a job outlives the clamd outage of a test
    "chute.jobs.max-attempts=50",
    "chute.clamav.enabled=true",
    "chute.clamav.host=127.0.0.1"
})
@DirtiesContext // why: this context scans with a clamd that stops with this class
class VirusScanIT {

    static final ClamdServer CLAMD = ClamdServer.start("10M");

    @LocalServerPort
    int port;

    @Autowired
    ObjectStore store;

    @TempDir
    Path dir;

    @DynamicPropertySource
    static void scanningWithTheTestClamd(DynamicPropertyRegistry registry) throws IOException {
        registry.add("chute.clamav.port", CLAMD::port);
    }

    @AfterAll
    static void stopClamd() {
        CLAMD.close();
    }

    @Test
    void anInfectedPhotoIsRejectedWithTheSignatureAndQuarantined() {
        TestClient alice = newUser();
        Path infected = Eicar.appendedTo(Images.jpeg(dir, 320, 240)); // still a JPEG to type detection

        Map<String, Object> accepted = TestUploads.acceptedJob(alice, infected);
        Map<String, Object> job = await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> alice.get((String) accepted.get("statusUrl")).json(), j -> {
                    assertThat(j.get("status")).isNotEqualTo("COMPLETED");
                    return "REJECTED".equals(j.get("status"));
                });

        assertThat((String) job.get("error")).isEqualTo("infected: " + ClamdServer.SIGNATURE + ".UNOFFICIAL");
        assertThat(job.get("outputs"))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .isEmpty();
        String uploadId = (String) accepted.get("uploadId");
        assertThat(alice.get("/api/uploads/" + uploadId + "/download").status()).isEqualTo(403);
        String original = "uploads/" + alice.get("/api/me").json().get("id") + "/" + uploadId;
        assertThat(stat(original)).as("the original where uploads live").isEmpty();
        assertThat(stat("quarantine/" + original))
                .as("the original in quarantine")
                .hasValueSatisfying(info -> assertThat(info.size()).isEqualTo(size(infected)));
    }

    @Test
    void anInfectedTextFileIsAcceptedThenRejectedByItsScanAndNeverDownloaded() throws IOException {
        TestClient dora = newUser();
        Path notes = Files.write(dir.resolve("notes.txt"), Eicar.bytes());
        Map<String, Object> signed = dora.post(
                        "/api/uploads",
                        Map.of("fileName", "notes.txt", "size", size(notes), "contentType", "text/plain"))
                .json();
        @SuppressWarnings("unchecked")
        Map<String, String> headers = (Map<String, String>) signed.get("headers");
        assertThat(dora.put((String) signed.get("url"), headers, notes).status())
                .isEqualTo(200);

        TestClient.Response complete = dora.post("/api/uploads/" + signed.get("uploadId") + "/complete", Map.of());

        assertThat(complete.status())
                .as("the scan belongs to the job, not to complete")
                .isEqualTo(202);
        Map<String, Object> job = await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> dora.get((String) complete.json().get("statusUrl")).json(), j -> {
                    assertThat(j.get("status")).isNotEqualTo("COMPLETED");
                    return "REJECTED".equals(j.get("status"));
                });
        assertThat((String) job.get("error")).startsWith("infected: " + ClamdServer.SIGNATURE);
        assertThat(job).containsEntry("detectedType", "text/plain");
        assertThat(dora.get("/api/uploads/" + signed.get("uploadId") + "/download")
                        .status())
                .isEqualTo(403);
    }

    @Test
    void aCleanPhotoIsScannedThenProcessed() {
        TestClient bob = newUser();

        Map<String, Object> job = completed(bob, TestUploads.acceptedJob(bob, Images.jpeg(dir, 320, 240)));

        assertThat(job.get("metadata"))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("scan", Map.of("engine", "clamav", "result", "clean"));
        assertThat(job.get("outputs"))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsKeys("thumbnail", "medium", "large");
    }

    @Test
    void whileClamdIsDownFilesRetryAndPassOnlyOnceScanned() {
        TestClient carol = newUser();
        Map<String, Object> accepted;
        CLAMD.stop();
        try {
            accepted = TestUploads.acceptedJob(carol, Images.jpeg(dir, 320, 240));

            Map<String, Object> waiting = await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> carol.get((String) accepted.get("statusUrl")).json(), j -> {
                        assertThat(j.get("status")).isIn("PENDING", "PROCESSING", "RETRYING");
                        return "RETRYING".equals(j.get("status"));
                    });
            assertThat((String) waiting.get("error")).contains("unreachable");
            TestClient.Response health = anonymous().get("/actuator/health");
            assertThat(health.status()).isEqualTo(503);
        } finally {
            CLAMD.restart();
        }

        Map<String, Object> job = completed(carol, accepted);

        assertThat(job.get("metadata"))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("scan", Map.of("engine", "clamav", "result", "clean"));
        assertThat((Integer) job.get("attempts")).isGreaterThan(1);
        assertThat(anonymous().get("/actuator/health").status()).isEqualTo(200);
    }

    private Map<String, Object> completed(TestClient user, Map<String, Object> accepted) {
        return await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> user.get((String) accepted.get("statusUrl")).json(), j -> {
                    assertThat(j.get("status")).isNotIn("FAILED", "REJECTED", "CANCELLED");
                    return "COMPLETED".equals(j.get("status"));
                });
    }

    private java.util.Optional<ObjectStore.ObjectInfo> stat(String key) {
        try {
            return store.stat(key);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private TestClient anonymous() {
        return new TestClient(URI.create("http://localhost:" + port));
    }

    private TestClient newUser() {
        return anonymous().registerNewUser();
    }
}
