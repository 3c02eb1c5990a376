package io.chute.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.Images;
import io.chute.support.Multipart;
import io.chute.support.TestClient;
import io.chute.support.TestUploads;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * End-to-end integrity of the upload lanes, run against each object store (a subclass per store): declared
 * digests bound into the signed PUTs, verified at {@code complete}, a {@code sha256} on every completed upload,
 * and signed PUT URLs that store one version only. Subclasses set {@code chute.storage.multipart-threshold=6MB}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class UploadIntegrityContract {

    static final long MiB = 1024 * 1024;

    @LocalServerPort
    int port;

    @TempDir
    Path dir;

    /** Whether the store serves downloads itself and so adds {@code Repr-Digest}. */
    protected abstract boolean servesDigestOnDownload();

    /** What the store's refusal of bytes that do not match their declared digest says, so a client can send again. */
    protected abstract String digestMismatchMarker();

    @Test
    void declaringASha256AndPuttingOtherBytesOfTheSameSizeIsRefusedAndStoresNothing() throws IOException {
        TestClient alice = newUser();
        byte[] photo = Files.readAllBytes(Images.jpeg(dir, 640, 480));
        byte[] other = photo.clone();
        other[other.length / 2] ^= 0x5a;
        Map<String, Object> signed = sign(alice, "cat.jpg", photo.length, sha256(photo));

        TestClient.Response put = alice.putBytes((String) signed.get("url"), TestUploads.headers(signed), other);

        assertThat(put.status()).as(put.body()).isEqualTo(400);
        assertThat(put.body()).contains(digestMismatchMarker());
        TestClient.Response complete = alice.post(uploadPath(signed) + "/complete", Map.of());
        assertThat(complete.status()).as("nothing was stored").isEqualTo(409);
        assertThat(alice.putBytes((String) signed.get("url"), TestUploads.headers(signed), photo)
                        .status())
                .isEqualTo(200);
        TestUploads.completedJob(
                alice, alice.post(uploadPath(signed) + "/complete", Map.of()).json());
        assertThat(alice.get(uploadPath(signed)).json()).containsEntry("sha256", sha256(photo));
    }

    @Test
    void theRightBytesCompleteAndEveryViewShowsTheirDigest() throws IOException {
        TestClient alice = newUser();
        byte[] photo = Files.readAllBytes(Images.jpeg(dir, 800, 600));
        Map<String, Object> signed = sign(alice, "dog.jpg", photo.length, sha256(photo));
        assertThat(alice.putBytes((String) signed.get("url"), TestUploads.headers(signed), photo)
                        .status())
                .isEqualTo(200);

        Map<String, Object> job = TestUploads.completedJob(
                alice, alice.post(uploadPath(signed) + "/complete", Map.of()).json());

        assertThat(job).containsEntry("sha256", sha256(photo));
        assertThat(alice.get(uploadPath(signed)).json())
                .containsEntry("sha256", sha256(photo))
                .containsEntry("state", "COMPLETE");
        HttpResponse<byte[]> download =
                alice.fetch(alice.get(uploadPath(signed) + "/download").header("Location"));
        assertThat(download.body()).isEqualTo(photo);
        if (servesDigestOnDownload()) {
            assertThat(download.headers().firstValue("Repr-Digest"))
                    .contains("sha-256=:" + base64(sha256(photo)) + ":");
        }
    }

    @Test
    void anUndeclaredSignedUploadGetsItsDigestComputed() throws IOException {
        TestClient alice = newUser();
        Path photo = Images.jpeg(dir, 320, 240);

        TestUploads.completedJob(alice, TestUploads.signedUpload(alice, photo, "plain.jpg"));

        Map<String, Object> upload = alice.get("/api/jobs?limit=1").json();
        @SuppressWarnings("unchecked")
        Map<String, Object> job = ((List<Map<String, Object>>) upload.get("items")).getFirst();
        assertThat(alice.get("/api/uploads/" + job.get("uploadId")).json())
                .containsEntry("sha256", sha256(Files.readAllBytes(photo)));
    }

    @Test
    void aDirectUploadShowsItsComputedDigest() throws IOException {
        TestClient bob = newUser();
        Path photo = Images.jpeg(dir, 400, 300);
        Multipart form = Multipart.file("file", "direct.jpg", "image/jpeg", photo);

        TestClient.Response accepted = bob.postRaw("/api/upload", form.contentType(), form.body());

        assertThat(accepted.status()).isEqualTo(202);
        Map<String, Object> job = TestUploads.completedJob(bob, accepted.json());
        String expected = sha256(Files.readAllBytes(photo));
        assertThat(job).containsEntry("sha256", expected);
        assertThat(bob.get("/api/uploads/" + accepted.json().get("uploadId")).json())
                .containsEntry("sha256", expected);
    }

    @Test
    void aMultipartUploadWithPerPartDigestsCompletesAndACorruptedPartIsRefused() throws IOException {
        TestClient alice = newUser();
        byte[] file = Files.readAllBytes(Images.paddedJpeg(dir, 11 * MiB));
        Map<String, Object> plan = sign(alice, "panorama.jpg", file.length, sha256(file));
        String upload = uploadPath(plan);
        byte[][] parts = {slice(file, 0, 5 * MiB), slice(file, 5 * MiB, 5 * MiB), slice(file, 10 * MiB, MiB)};
        Map<String, String> digests = Map.of("1", sha256(parts[0]), "2", sha256(parts[1]), "3", sha256(parts[2]));
        List<Map<String, Object>> urls = signParts(alice, upload, digests);

        byte[] corrupted = parts[1].clone();
        corrupted[12345] ^= 0x01;
        TestClient.Response refused =
                alice.putBytes((String) urls.get(1).get("url"), headersOf(urls.get(1)), corrupted);
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.body()).contains(digestMismatchMarker());
        assertThat(alice.get(upload + "/parts").json().get("parts")).asList().isEmpty();

        List<Map<String, Object>> etags = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TestClient.Response put = alice.putBytes((String) urls.get(i).get("url"), headersOf(urls.get(i)), parts[i]);
            assertThat(put.status()).as(put.body()).isEqualTo(200);
            etags.add(Map.of("partNumber", i + 1, "etag", put.header("ETag")));
        }
        TestClient.Response complete = alice.post(upload + "/complete", Map.of("parts", etags));
        assertThat(complete.status()).as(complete.body()).isEqualTo(202);
        assertThat(alice.get(upload).json()).containsEntry("sha256", sha256(file));
    }

    @Test
    void aMultipartUploadWhoseAssembledBytesDifferFromTheDeclaredDigestIs422AndDeleted() throws IOException {
        TestClient alice = newUser();
        byte[] file = Files.readAllBytes(Images.paddedJpeg(dir, 11 * MiB));
        byte[] declaredFile = file.clone();
        declaredFile[file.length - 1] ^= 0x01;
        Map<String, Object> plan = sign(alice, "claimed.jpg", file.length, sha256(declaredFile));
        String upload = uploadPath(plan);
        List<Map<String, Object>> urls = signParts(alice, upload, Map.of());
        byte[][] parts = {slice(file, 0, 5 * MiB), slice(file, 5 * MiB, 5 * MiB), slice(file, 10 * MiB, MiB)};
        List<Map<String, Object>> etags = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            etags.add(Map.of(
                    "partNumber",
                    i + 1,
                    "etag",
                    alice.putBytes((String) urls.get(i).get("url"), headersOf(urls.get(i)), parts[i])
                            .header("ETag")));
        }

        TestClient.Response complete = alice.post(upload + "/complete", Map.of("parts", etags));

        assertThat(complete.status()).as(complete.body()).isEqualTo(422);
        assertThat(complete.contentType()).startsWith("application/problem+json");
        assertThat(complete.json()).containsEntry("sha256", sha256(file));
        assertThat(alice.post(upload + "/complete", Map.of("parts", etags)).status())
                .as("the object was deleted")
                .isIn(400, 409);
        assertThat(alice.get(upload).json())
                .containsEntry("state", "AWAITING_UPLOAD")
                .doesNotContainKey("sha256");
    }

    @Test
    void replayingAUsedSignedPutAfterCompleteIsRefusedAndTheDownloadStaysTheSame() throws IOException {
        TestClient alice = newUser();
        byte[] photo = Files.readAllBytes(Images.jpeg(dir, 500, 400));
        Map<String, Object> signed = sign(alice, "original.jpg", photo.length, null);
        assertThat(alice.putBytes((String) signed.get("url"), TestUploads.headers(signed), photo)
                        .status())
                .isEqualTo(200);
        TestUploads.completedJob(
                alice, alice.post(uploadPath(signed) + "/complete", Map.of()).json());
        byte[] sameSize = new byte[photo.length];
        Arrays.fill(sameSize, (byte) 'A');

        TestClient.Response replay = alice.putBytes((String) signed.get("url"), TestUploads.headers(signed), sameSize);

        assertThat(replay.status()).as(replay.body()).isIn(403, 409, 412);
        assertThat(alice.fetch(alice.get(uploadPath(signed) + "/download").header("Location"))
                        .body())
                .isEqualTo(photo);
    }

    protected TestClient newUser() {
        return new TestClient(URI.create("http://localhost:" + port)).registerNewUser();
    }

    static Map<String, Object> sign(TestClient user, String name, long size, String sha256) {
        Map<String, Object> body =
                new java.util.HashMap<>(Map.of("fileName", name, "size", size, "contentType", "image/jpeg"));
        if (sha256 != null) {
            body.put("sha256", sha256);
        }
        TestClient.Response signed = user.post("/api/uploads", body);
        assertThat(signed.status()).as(signed.body()).isEqualTo(201);
        return signed.json();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> signParts(TestClient user, String upload, Map<String, String> digests) {
        TestClient.Response signed =
                user.post(upload + "/parts", Map.of("partNumbers", List.of(1, 2, 3), "sha256", digests));
        assertThat(signed.status()).as(signed.body()).isEqualTo(200);
        return (List<Map<String, Object>>) signed.json().get("parts");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> headersOf(Map<String, Object> signedPart) {
        return (Map<String, String>) signedPart.get("headers");
    }

    static String uploadPath(Map<String, Object> signed) {
        return "/api/uploads/" + signed.get("uploadId");
    }

    private static byte[] slice(byte[] all, long from, long length) {
        return Arrays.copyOfRange(all, (int) from, (int) (from + length));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base64(String hex) {
        return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
    }
}
