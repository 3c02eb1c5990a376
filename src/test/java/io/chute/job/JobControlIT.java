package io.chute.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.ChuteIT;
import io.chute.support.Images;
import io.chute.support.TestClient;
import io.chute.support.TestUploads;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * An api-only node (no worker, so jobs wait) with a queue limit of 2: backpressure, cancel and
 * retry, and the admin's queue view.
 */
@ChuteIT({"chute.roles=api", "chute.jobs.queue-limit=2"})
class JobControlIT {

    @LocalServerPort
    int port;

    @Test
    void backpressureCancelRetryAndTheAdminsQueueView() throws Exception {
        Path dir = Files.createTempDirectory("chute-images-");
        TestClient admin = new TestClient(URI.create("http://localhost:" + port)).registerNewUser();
        TestClient user = admin.registerNewUser();

        Map<String, Object> first = TestUploads.acceptedJob(user, Images.jpeg(dir, 100, 80));
        TestUploads.acceptedJob(user, Images.jpeg(dir, 100, 80));

        // the third is refused whole: 503, Retry-After, and its upload can still be completed later
        Path third = Images.jpeg(dir, 100, 80);
        Map<String, Object> signed = user.post(
                        "/api/uploads",
                        Map.of("fileName", "third.jpg", "size", Files.size(third), "contentType", "image/jpeg"))
                .json();
        @SuppressWarnings("unchecked")
        Map<String, String> headers = (Map<String, String>) signed.get("headers");
        assertThat(user.put((String) signed.get("url"), headers, third).status())
                .isEqualTo(200);
        TestClient.Response refused = user.post("/api/uploads/" + signed.get("uploadId") + "/complete", Map.of());
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("Retry-After")).matches("\\d+");
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json()).containsKey("retryAfterSeconds");
        assertThat(user.get("/api/uploads/" + signed.get("uploadId")).json())
                .containsEntry("state", "AWAITING_UPLOAD")
                .doesNotContainKey("jobId");
        assertThat(user.get("/api/jobs").json().get("items"))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                .hasSize(2);

        // cancel a PENDING job, which makes room; retry puts it back
        String jobUrl = (String) first.get("statusUrl");
        assertThat(admin.registerNewUser().post(jobUrl + "/cancel", Map.of()).status())
                .as("someone else's job")
                .isEqualTo(404);
        assertThat(user.post(jobUrl + "/retry", Map.of()).status())
                .as("retry of a PENDING job")
                .isEqualTo(409);
        TestClient.Response cancelled = user.post(jobUrl + "/cancel", Map.of());
        assertThat(cancelled.status()).isEqualTo(202);
        assertThat(cancelled.json()).containsEntry("status", "CANCELLED");
        assertThat(user.post(jobUrl + "/cancel", Map.of()).status()).isEqualTo(409);
        assertThat(user.post("/api/uploads/" + signed.get("uploadId") + "/complete", Map.of())
                        .status())
                .isEqualTo(202);
        assertThat(user.post(jobUrl + "/retry", Map.of()).status())
                .as("the queue is full again")
                .isEqualTo(503);

        TestClient.Response queues = admin.get("/api/admin/queues");
        assertThat(queues.status()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows =
                (List<Map<String, Object>>) queues.json().get("queues");
        assertThat(rows)
                .anySatisfy(q -> assertThat(q)
                        .containsEntry("type", "image")
                        .containsEntry("pending", 2)
                        .containsKeys("processing", "retrying", "failed", "completedLastHour", "workers", "concurrency")
                        .hasEntrySatisfying(
                                "topOwners",
                                owners -> assertThat(owners)
                                        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                                        .singleElement()
                                        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                                        .containsEntry("waiting", 2)
                                        .containsEntry("running", 0)
                                        .containsKeys("ownerId", "username")));
        assertThat(user.get("/api/admin/queues").status()).isEqualTo(403);
        assertThat(user.get("/api/admin/jobs?status=FAILED").status()).isEqualTo(403);
        assertThat(admin.get("/api/admin/jobs?status=CANCELLED").json().get("items"))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                .hasSize(1);

        // once there is room, retry works and an admin may retry anyone's job
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> pending = (List<Map<String, Object>>)
                user.get("/api/jobs?status=PENDING&limit=1").json().get("items");
        assertThat(user.post("/api/jobs/" + pending.getFirst().get("jobId") + "/cancel", Map.of())
                        .status())
                .isEqualTo(202);
        TestClient.Response retried = admin.post("/api/admin/jobs/" + first.get("jobId") + "/retry", Map.of());
        assertThat(retried.status()).isEqualTo(202);
        assertThat(retried.json()).containsEntry("status", "PENDING").containsEntry("attempts", 0);
    }
}
