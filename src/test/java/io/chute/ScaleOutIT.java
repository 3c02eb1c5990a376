package io.chute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.support.ChuteProcess;
import io.chute.support.Images;
import io.chute.support.TestBroker;
import io.chute.support.TestClient;
import io.chute.support.TestDatabase;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scale-out configuration, as separate processes: an {@code api,gateway} node and a
 * {@code worker} node sharing the machine's PostgreSQL and RabbitMQ and an S3 API server
 * (s3proxy), with no other coordination. The signed URL points at S3, not at Chute.
 */
class ScaleOutIT {

    private static final String KEY = "chute-access";
    private static final String SECRET = "chute-secret-key-for-tests";

    @TempDir
    Path dir;

    @Test
    void anApiNodeAndAWorkerNodeTakeAPhotoFromSignedPutToRenditions() throws Exception {
        S3Proxy s3 = S3Proxy.builder()
                .blobStore(new FilesystemNio2BlobStore(
                        Files.createDirectories(dir.resolve("blobs")).toString()))
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, KEY, SECRET)
                .build();
        s3.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> "STARTED".equals(s3.getState()));
        String endpoint = "http://127.0.0.1:" + s3.getPort();
        try (TestDatabase database = TestDatabase.create();
                TestBroker broker = TestBroker.create()) {
            List<String> shared = List.of(
                    "--spring.datasource.url=" + database.jdbcUrl(),
                    "--spring.datasource.username=" + database.user(),
                    "--chute.queue.type=rabbitmq",
                    "--spring.rabbitmq.host=127.0.0.1",
                    "--spring.rabbitmq.virtual-host=" + broker.vhost(),
                    "--chute.storage.type=s3",
                    "--chute.storage.s3.endpoint=" + endpoint,
                    "--chute.storage.s3.bucket=chute-scale",
                    "--chute.storage.s3.access-key=" + KEY,
                    "--chute.storage.s3.secret-key=" + SECRET,
                    "--chute.storage.s3.path-style=true",
                    "--chute.storage.multipart-threshold=6MB",
                    "--chute.auth.token-secret=a-shared-secret-of-at-least-thirty-two-bytes");
            try (ChuteProcess api = ChuteProcess.start(
                            dir.resolve("api.log"),
                            args(shared, "--chute.roles=api,gateway", "--chute.data-dir=" + dir.resolve("api")));
                    ChuteProcess worker = ChuteProcess.start(
                            dir.resolve("worker.log"),
                            args(shared, "--chute.roles=worker", "--chute.data-dir=" + dir.resolve("worker")))) {
                TestClient alice = api.client().registerNewUser();
                Path photo = Images.jpeg(dir, 2400, 1600);

                Map<String, Object> signed = alice.post(
                                "/api/uploads",
                                Map.of("fileName", "photo.jpg", "size", Files.size(photo), "contentType", "image/jpeg"))
                        .json();
                assertThat((String) signed.get("url")).startsWith(endpoint + "/chute-scale/");
                @SuppressWarnings("unchecked")
                Map<String, String> headers = (Map<String, String>) signed.get("headers");
                assertThat(alice.put((String) signed.get("url"), headers, photo).status())
                        .isEqualTo(200);
                TestClient.Response accepted =
                        alice.post("/api/uploads/" + signed.get("uploadId") + "/complete", Map.of());
                assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);

                Map<String, Object> job = await().atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(200))
                        .until(
                                () -> alice.get((String) accepted.json().get("statusUrl"))
                                        .json(),
                                j -> List.of("COMPLETED", "REJECTED", "FAILED").contains(j.get("status")));
                assertThat(job).containsEntry("status", "COMPLETED");
                @SuppressWarnings("unchecked")
                Map<String, Map<String, Object>> outputs = (Map<String, Map<String, Object>>) job.get("outputs");
                String large = (String) outputs.get("large").get("url");
                assertThat(large).startsWith(endpoint);
                assertThat(Images.size(alice.fetch(large).body())).containsExactly(1920, 1280);
                assertThat(Images.size(
                                alice.fetch((String) outputs.get("thumbnail").get("url"))
                                        .body()))
                        .containsExactly(200, 200);
                TestClient.Response download = alice.get("/api/uploads/" + signed.get("uploadId") + "/download");
                assertThat(download.header("Location")).startsWith(endpoint);
                assertThat(alice.fetch(download.header("Location")).body()).isEqualTo(Files.readAllBytes(photo));

                multipartUploadResumedAfterListingParts(alice, endpoint);
                aWorkerOnlyNodeServesNoRestApiButItsHealthAndMetrics(alice, api, worker);
            }
        } finally {
            s3.stop();
        }
    }

    /** The {@code api} role gates the REST controllers: a worker node knows the token, yet has no {@code /api}. */
    private static void aWorkerOnlyNodeServesNoRestApiButItsHealthAndMetrics(
            TestClient alice, ChuteProcess api, ChuteProcess worker) {
        TestClient onWorker = alice.withBase(worker.base());
        assertThat(alice.get("/api/jobs").status()).isEqualTo(200);
        TestClient.Response jobs = onWorker.get("/api/jobs");
        assertThat(jobs.status()).as(jobs.body()).isEqualTo(404);
        assertThat(jobs.contentType()).startsWith("application/problem+json");
        assertThat(onWorker.get("/api/users?q=al").status()).isEqualTo(404);
        assertThat(onWorker.post("/api/auth/login", Map.of("username", "x", "password", "y"))
                        .status())
                .isEqualTo(404);
        assertThat(onWorker.get("/actuator/health").status()).isEqualTo(200);
        assertThat(onWorker.get("/actuator/prometheus").body()).contains("jvm_threads_live_threads");
        assertThat(api.client().get("/actuator/health").status()).isEqualTo(200);
    }

    /** 11 MiB in three parts straight to S3; the client "reloads" after part 1 and resumes from the listed parts. */
    @SuppressWarnings("unchecked")
    private void multipartUploadResumedAfterListingParts(TestClient alice, String endpoint) throws Exception {
        long mib = 1024 * 1024;
        long size = 11 * mib;
        Path big = Images.jpeg(dir, 640, 480);
        try (FileChannel channel = FileChannel.open(big, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {0}), size - 1); // a JPEG followed by zeros is still a JPEG
        }
        Map<String, Object> plan = alice.post(
                        "/api/uploads", Map.of("fileName", "panorama.jpg", "size", size, "contentType", "image/jpeg"))
                .json();
        assertThat(plan).containsEntry("multipart", Map.of("partSize", (int) (5 * mib), "partCount", 3));
        String upload = "/api/uploads/" + plan.get("uploadId");
        long[][] ranges = {{0, 5 * mib}, {5 * mib, 5 * mib}, {10 * mib, mib}};

        Map<Integer, String> etags = new java.util.TreeMap<>();
        for (int n : List.of(1, 2, 3)) {
            if (n == 2) {
                // the reload: what storage holds is all the client knows
                List<Map<String, Object>> held = (List<Map<String, Object>>)
                        alice.get(upload + "/parts").json().get("parts");
                assertThat(held)
                        .singleElement()
                        .satisfies(p ->
                                assertThat(p).containsEntry("partNumber", 1).containsEntry("size", (int) (5 * mib)));
                etags.put(1, (String) held.getFirst().get("etag"));
            }
            Map<String, Object> signed = ((List<Map<String, Object>>)
                            alice.post(upload + "/parts", Map.of("partNumbers", List.of(n)))
                                    .json()
                                    .get("parts"))
                    .getFirst();
            assertThat((String) signed.get("url")).startsWith(endpoint + "/chute-scale/");
            Path part = Files.createTempFile(dir, "part-", ".bin");
            try (InputStream in = Files.newInputStream(big);
                    OutputStream out = Files.newOutputStream(part)) {
                in.skipNBytes(ranges[n - 1][0]);
                in.transferTo(new BoundedOutput(out, ranges[n - 1][1]));
            }
            TestClient.Response put =
                    alice.put((String) signed.get("url"), (Map<String, String>) signed.get("headers"), part);
            assertThat(put.status()).as(put.body()).isEqualTo(200);
            if (n > 1) {
                etags.put(n, put.header("ETag"));
            }
        }
        List<Map<String, Object>> parts = etags.entrySet().stream()
                .map(e -> Map.<String, Object>of("partNumber", e.getKey(), "etag", e.getValue()))
                .toList();
        TestClient.Response accepted = alice.post(upload + "/complete", Map.of("parts", parts));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);

        Map<String, Object> job = await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> alice.get((String) accepted.json().get("statusUrl"))
                                .json(),
                        j -> List.of("COMPLETED", "REJECTED", "FAILED").contains(j.get("status")));
        assertThat(job).containsEntry("status", "COMPLETED").containsEntry("fileSize", (int) size);
    }

    /** Passes on the first {@code limit} bytes and drops the rest. */
    private static final class BoundedOutput extends java.io.FilterOutputStream {
        private long left;

        BoundedOutput(OutputStream out, long limit) {
            super(out);
            this.left = limit;
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            int n = (int) Math.min(len, left);
            if (n > 0) {
                out.write(b, off, n);
                left -= n;
            }
        }

        @Override
        public void write(int b) throws java.io.IOException {
            if (left > 0) {
                out.write(b);
                left--;
            }
        }
    }

    private static String[] args(List<String> shared, String... more) {
        return java.util.stream.Stream.concat(shared.stream(), java.util.Arrays.stream(more))
                .toArray(String[]::new);
    }
}
