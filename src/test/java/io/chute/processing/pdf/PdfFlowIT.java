package io.chute.processing.pdf;

import static io.chute.support.Pdfs.aPdf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.support.EmbeddedChuteIT;
import io.chute.support.Images;
import io.chute.support.TestClient;
import io.chute.support.TestUploads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A PDF through the signed lane, from upload to its downloaded text and preview, over real HTTP. */
class PdfFlowIT extends EmbeddedChuteIT {

    @TempDir
    Path dir;

    @Test
    void aPdfGivesItsTextAndAFirstPagePreview() {
        TestClient alice = newUser();
        Path pdf = aPdf().withPages("Minutes of the first meeting", "Budget: forty-two units", "Signed, the board")
                .withTitle("Board minutes")
                .writeTo(dir);

        Map<String, Object> job =
                settled(alice, signedUpload(alice, pdf, "minutes.pdf", "application/pdf"), "COMPLETED");

        assertThat(job)
                .containsEntry("type", "pdf")
                .containsEntry("detectedType", "application/pdf")
                .containsEntry("progress", 100);
        assertThat(metadata(job))
                .containsEntry("pageCount", 3)
                .containsEntry("pagesProcessed", 3)
                .containsEntry("textTruncated", false)
                .containsEntry("title", "Board minutes");

        Map<String, Object> text = output(job, "text");
        assertThat(text)
                .containsEntry("key", "processed/" + job.get("jobId") + "/text")
                .containsEntry("contentType", "text/plain; charset=utf-8")
                .doesNotContainKeys("width", "height");
        HttpResponse<byte[]> textBytes = alice.fetch((String) text.get("url"));
        assertThat(textBytes.statusCode()).isEqualTo(200);
        assertThat(new String(textBytes.body(), StandardCharsets.UTF_8))
                .containsSubsequence("Minutes of the first meeting", "Budget: forty-two units", "Signed, the board");
        assertThat(((Number) text.get("size")).longValue()).isEqualTo(textBytes.body().length);
        assertThat(textBytes.headers().firstValue("Content-Disposition"))
                .hasValueSatisfying(v -> assertThat(v).contains("minutes-text.txt"));

        Map<String, Object> preview = output(job, "preview");
        assertThat(preview).containsEntry("contentType", "image/jpeg").containsEntry("height", 1200);
        HttpResponse<byte[]> previewBytes = alice.fetch((String) preview.get("url"));
        assertThat(previewBytes.statusCode()).isEqualTo(200);
        assertThat(Images.size(previewBytes.body()))
                .containsExactly((int) preview.get("width"), (int) preview.get("height"));
        assertThat(previewBytes.headers().firstValue("Content-Disposition"))
                .hasValueSatisfying(v -> assertThat(v).contains("minutes-preview.jpg"));
    }

    @Test
    void aPasswordProtectedPdfIsRejectedAtOnceWithItsReason() {
        TestClient bob = newUser();
        Path pdf = aPdf().withPages("for my eyes only")
                .encryptedWithUserPassword("hunter2")
                .writeTo(dir);
        Map<String, Object> accepted = signedUpload(bob, pdf, "secret.pdf", "application/pdf");

        Map<String, Object> job = settled(bob, accepted, "REJECTED");

        assertThat(job)
                .containsEntry("error", "encrypted PDF")
                .containsEntry("attempts", 1)
                .doesNotContainKey("nextRetryAt");
        assertThat((Map<?, ?>) job.get("outputs")).isEmpty();
        assertThat(bob.get("/api/uploads/" + accepted.get("uploadId") + "/download")
                        .status())
                .isEqualTo(403);
    }

    @Test
    void randomBytesDeclaredAsAPdfAreKeptAsOctetsWithoutAPreview() throws IOException {
        TestClient carol = newUser();
        byte[] random = new byte[8192];
        new Random(11).nextBytes(random);
        random[0] = 0x13; // why: no magic number starts with it
        Path file = Files.write(dir.resolve("fake.pdf"), random);

        Map<String, Object> job =
                TestUploads.completedJob(carol, signedUpload(carol, file, "fake.pdf", "application/pdf"));

        assertThat(job).containsEntry("type", "file").containsEntry("detectedType", "application/octet-stream");
        assertThat(job.get("outputs"))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .isEmpty();
    }

    private static Map<String, Object> signedUpload(TestClient user, Path file, String name, String contentType) {
        Map<String, Object> signed = sign(user, file, name, contentType);
        assertThat(user.put((String) signed.get("url"), TestUploads.headers(signed), file)
                        .status())
                .isEqualTo(200);
        TestClient.Response complete = user.post("/api/uploads/" + signed.get("uploadId") + "/complete", Map.of());
        assertThat(complete.status()).isEqualTo(202);
        return complete.json();
    }

    private static Map<String, Object> sign(TestClient user, Path file, String name, String contentType) {
        try {
            TestClient.Response signed = user.post(
                    "/api/uploads", Map.of("fileName", name, "size", Files.size(file), "contentType", contentType));
            assertThat(signed.status()).isEqualTo(201);
            return signed.json();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls the job until it reaches {@code status}, failing at once if it settles in another final state. */
    private static Map<String, Object> settled(TestClient user, Map<String, Object> accepted, String status) {
        String statusUrl = (String) accepted.get("statusUrl");
        return await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> user.get(statusUrl).json(), job -> {
                    assertThat(job.get("status")).isNotEqualTo("RETRYING");
                    assertThat(job.get("status")).isIn("PENDING", "PROCESSING", status);
                    return status.equals(job.get("status"));
                });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> metadata(Map<String, Object> job) {
        return (Map<String, Object>) job.get("metadata");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> output(Map<String, Object> job, String name) {
        return ((Map<String, Map<String, Object>>) job.get("outputs")).get(name);
    }
}
