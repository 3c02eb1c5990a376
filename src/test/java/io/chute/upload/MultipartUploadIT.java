package io.chute.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chute.storage.ObjectStore;
import io.chute.support.ChuteIT;
import io.chute.support.Images;
import io.chute.support.TestClient;
import io.chute.support.TestUploads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A big photo through the multipart lane of the embedded (filesystem) store, as Uppy's S3
 * multipart flow drives it: plan, signed parts, a reload that resumes from the listed parts,
 * complete with the ETags. Its own data dir and threshold, so it runs beside the shared
 * embedded instance of {@link io.chute.support.EmbeddedChuteIT} without sharing its database.
 */
@ChuteIT({"chute.jobs.poll-interval=500ms", "chute.storage.multipart-threshold=6MB"})
class MultipartUploadIT {

    private static final long MiB = 1024 * 1024;
    private static final long SIZE = 11 * MiB;

    @LocalServerPort
    int port;

    @TempDir
    Path dir;

    @Autowired
    UploadJanitor janitor;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    ObjectStore store;

    @Test
    void aBigPhotoIsUploadedInPartsResumedAfterAReloadAndProcessed() throws IOException {
        TestClient alice = newUser();
        Path photo = paddedJpeg(SIZE);
        Map<String, Object> plan = start(alice, SIZE);
        String upload = "/api/uploads/" + plan.get("uploadId");
        assertThat(plan)
                .doesNotContainKeys("url", "method")
                .containsEntry("multipart", Map.of("partSize", (int) (5 * MiB), "partCount", 3));

        Map<Integer, String> etags = new HashMap<>();
        etags.put(1, putPart(alice, signPart(alice, upload, 1), slice(photo, 0, 5 * MiB)));

        // the page reloads: all the client has left is the upload id
        assertThat(alice.get(upload).json())
                .containsEntry("state", "AWAITING_UPLOAD")
                .containsEntry("multipart", Map.of("partSize", (int) (5 * MiB), "partCount", 3));
        List<Map<String, Object>> held = parts(alice.get(upload + "/parts").json());
        assertThat(held).hasSize(1);
        assertThat(held.getFirst())
                .containsEntry("partNumber", 1)
                .containsEntry("size", (int) (5 * MiB))
                .containsEntry("etag", etags.get(1));

        TestClient.Response signed = alice.post(upload + "/parts", Map.of("partNumbers", List.of(2, 3)));
        assertThat(signed.status()).isEqualTo(200);
        List<Map<String, Object>> urls = parts(signed.json());
        etags.put(2, putPart(alice, urls.get(0), slice(photo, 5 * MiB, 5 * MiB)));
        etags.put(3, putPart(alice, urls.get(1), slice(photo, 10 * MiB, MiB)));

        TestClient.Response complete = alice.post(
                upload + "/complete",
                Map.of(
                        "parts",
                        List.of(
                                Map.of("partNumber", 1, "etag", etags.get(1)),
                                Map.of(
                                        "partNumber",
                                        2,
                                        "etag",
                                        etags.get(2).replace("\"", "")), // some clients drop the quotes
                                Map.of("partNumber", 3, "etag", etags.get(3)))));

        assertThat(complete.status()).as(complete.body()).isEqualTo(202);
        Map<String, Object> job = TestUploads.completedJob(alice, complete.json());
        assertThat(job).containsEntry("detectedType", "image/jpeg").containsEntry("fileSize", (int) SIZE);
        TestClient.Response redirect = alice.get(upload + "/download");
        assertThat(redirect.status()).isEqualTo(302);
        Path downloaded = download(redirect.header("Location"));
        assertThat(Files.mismatch(downloaded, photo)).as("first differing byte").isEqualTo(-1);
    }

    @Test
    void completeWithAMissingPartIsRefusedAndSaysWhichOne() throws IOException {
        TestClient alice = newUser();
        Path photo = paddedJpeg(SIZE);
        String upload = "/api/uploads/" + start(alice, SIZE).get("uploadId");
        String first = putPart(alice, signPart(alice, upload, 1), slice(photo, 0, 5 * MiB));
        String third = putPart(alice, signPart(alice, upload, 3), slice(photo, 10 * MiB, MiB));

        TestClient.Response complete = alice.post(
                upload + "/complete",
                Map.of(
                        "parts",
                        List.of(Map.of("partNumber", 1, "etag", first), Map.of("partNumber", 3, "etag", third))));

        assertThat(complete.status()).isEqualTo(400);
        assertThat(complete.contentType()).startsWith("application/problem+json");
        assertThat(complete.json()).containsEntry("missingParts", List.of(2));
        assertThat(alice.get(upload).json()).containsEntry("state", "AWAITING_UPLOAD");
    }

    @Test
    void completeWithAWrongETagIsRefused() throws IOException {
        TestClient alice = newUser();
        String upload = "/api/uploads/" + start(alice, 7 * MiB).get("uploadId");
        Path photo = paddedJpeg(7 * MiB);
        String first = putPart(alice, signPart(alice, upload, 1), slice(photo, 0, 5 * MiB));
        putPart(alice, signPart(alice, upload, 2), slice(photo, 5 * MiB, 2 * MiB));

        TestClient.Response complete = alice.post(
                upload + "/complete",
                Map.of(
                        "parts",
                        List.of(
                                Map.of("partNumber", 1, "etag", first),
                                Map.of("partNumber", 2, "etag", "\"00000000000000000000000000000000\""))));

        assertThat(complete.status()).isEqualTo(400);
        assertThat(complete.contentType()).startsWith("application/problem+json");
    }

    @Test
    void partNumbersOutsideThePlanAreRefused() {
        TestClient alice = newUser();
        String upload = "/api/uploads/" + start(alice, SIZE).get("uploadId");

        for (List<Integer> numbers : List.of(List.of(0), List.of(4), List.of(1, 2, 3, 4), List.<Integer>of())) {
            TestClient.Response refused = alice.post(upload + "/parts", Map.of("partNumbers", numbers));
            assertThat(refused.status()).as(numbers.toString()).isEqualTo(400);
            assertThat(refused.contentType()).startsWith("application/problem+json");
        }
    }

    @Test
    void anotherUserSeesNoneOfIt() {
        TestClient alice = newUser();
        String upload = "/api/uploads/" + start(alice, SIZE).get("uploadId");
        TestClient mallory = newUser();

        assertThat(mallory.get(upload).status()).isEqualTo(404);
        assertThat(mallory.post(upload + "/parts", Map.of("partNumbers", List.of(1)))
                        .status())
                .isEqualTo(404);
        assertThat(mallory.get(upload + "/parts").status()).isEqualTo(404);
        assertThat(mallory.post(upload + "/complete", Map.of("parts", List.of()))
                        .status())
                .isEqualTo(404);
        assertThat(mallory.delete(upload).status()).isEqualTo(404);
    }

    @Test
    void deleteAbortsTheMultipartUpload() throws IOException {
        TestClient alice = newUser();
        Path photo = paddedJpeg(SIZE);
        String upload = "/api/uploads/" + start(alice, SIZE).get("uploadId");
        putPart(alice, signPart(alice, upload, 1), slice(photo, 0, 5 * MiB));

        assertThat(alice.delete(upload).status()).isEqualTo(204);

        assertThat(alice.get(upload).json()).containsEntry("state", "ABORTED");
        assertThat(alice.get(upload + "/parts").status()).isEqualTo(409);
        assertThat(alice.post(upload + "/parts", Map.of("partNumbers", List.of(2)))
                        .status())
                .isEqualTo(409);
        assertThat(alice.post(upload + "/complete", Map.of("parts", List.of())).status())
                .isEqualTo(409);
    }

    @Test
    void theRetentionSweepAbortsTheMultipartUploadOfAnExpiredUpload() throws IOException {
        TestClient alice = newUser();
        Path photo = paddedJpeg(SIZE);
        String uploadId = (String) start(alice, SIZE).get("uploadId");
        putPart(alice, signPart(alice, "/api/uploads/" + uploadId, 1), slice(photo, 0, 5 * MiB));
        var row = jdbc.sql("select object_key, multipart_id from uploads where id = ?")
                .param(UUID.fromString(uploadId))
                .query((rs, n) -> List.of(rs.getString(1), rs.getString(2)))
                .single();
        assertThat(store.listParts(row.get(0), row.get(1))).hasSize(1);

        jdbc.sql("update uploads set expires_at = now() - interval '1 minute' where id = ?")
                .param(UUID.fromString(uploadId))
                .update();
        janitor.abortExpired(Duration.ZERO);

        assertThat(alice.get("/api/uploads/" + uploadId).json()).containsEntry("state", "ABORTED");
        assertThatThrownBy(() -> store.listParts(row.get(0), row.get(1))).isInstanceOf(NoSuchFileException.class);
    }

    private TestClient newUser() {
        return new TestClient(URI.create("http://localhost:" + port)).registerNewUser();
    }

    private static Map<String, Object> start(TestClient user, long size) {
        TestClient.Response answer = user.post(
                "/api/uploads", Map.of("fileName", "panorama.jpg", "size", size, "contentType", "image/jpeg"));
        assertThat(answer.status()).as(answer.body()).isEqualTo(201);
        return answer.json();
    }

    private static Map<String, Object> signPart(TestClient user, String upload, int partNumber) {
        TestClient.Response signed = user.post(upload + "/parts", Map.of("partNumbers", List.of(partNumber)));
        assertThat(signed.status()).as(signed.body()).isEqualTo(200);
        List<Map<String, Object>> parts = parts(signed.json());
        assertThat(parts).singleElement().satisfies(p -> assertThat(p).containsEntry("partNumber", partNumber));
        return parts.getFirst();
    }

    /** PUTs one part file to its signed URL; returns the ETag it answered. */
    @SuppressWarnings("unchecked")
    private static String putPart(TestClient user, Map<String, Object> signed, Path part) {
        TestClient.Response put =
                user.put((String) signed.get("url"), (Map<String, String>) signed.get("headers"), part);
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        String etag = put.header("ETag");
        assertThat(etag).startsWith("\"").endsWith("\"");
        return etag;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> parts(Map<String, Object> body) {
        return (List<Map<String, Object>>) body.get("parts");
    }

    private Path paddedJpeg(long size) throws IOException {
        Path photo = Images.paddedJpeg(dir, size);
        assertThat(Files.size(photo)).isEqualTo(size);
        return photo;
    }

    /** {@code length} bytes of {@code file} from {@code offset}, copied through a stream into a file of their own. */
    private Path slice(Path file, long offset, long length) throws IOException {
        Path part = Files.createTempFile(dir, "part-", ".bin");
        try (InputStream in = Files.newInputStream(file);
                OutputStream out = Files.newOutputStream(part)) {
            in.skipNBytes(offset);
            long copied = new BoundedCopy(in, out).copy(length);
            assertThat(copied).isEqualTo(length);
        }
        return part;
    }

    private Path download(String url) throws IOException {
        Path target = dir.resolve("downloaded.jpg");
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<Path> response = http.send(
                    HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofFile(target));
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private record BoundedCopy(InputStream in, OutputStream out) {
        long copy(long length) throws IOException {
            byte[] buffer = new byte[64 * 1024];
            long copied = 0;
            for (int n;
                    copied < length
                            && (n = in.read(buffer, 0, (int) Math.min(buffer.length, length - copied))) != -1; ) {
                out.write(buffer, 0, n);
                copied += n;
            }
            return copied;
        }
    }
}
