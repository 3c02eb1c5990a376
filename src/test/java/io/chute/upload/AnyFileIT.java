package io.chute.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.support.EmbeddedChuteIT;
import io.chute.support.Multipart;
import io.chute.support.SampleFiles;
import io.chute.support.TestClient;
import io.chute.support.TestUploads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Any file a person shares, over real HTTP: every type is stored and downloadable as it was sent,
 * always as an attachment; what the configuration refuses is refused before any byte is sent.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "logging.level.io.chute.common.ProblemHandler=DEBUG")
@DirtiesContext // why: its own settings, so its own context, closed when the class is done
class AnyFileIT {

    @LocalServerPort
    int port;

    static final long MAX_SIZE = 2 * 1024 * 1024;

    @TempDir
    Path dir;

    @DynamicPropertySource
    static void limits(DynamicPropertyRegistry registry) {
        EmbeddedChuteIT.ownContext(registry, "any-file");
        registry.add("chute.uploads.max-size", () -> MAX_SIZE + "B");
        registry.add("chute.uploads.denied-types", () -> "application/x-msdownload");
    }

    @Test
    void everydayFilesCompleteAndDownloadByteIdenticalAsAttachments() {
        TestClient alice = newUser();
        var files = Map.of(
                SampleFiles.notes(dir), "text/plain",
                SampleFiles.zip(dir), "application/zip",
                SampleFiles.docx(dir), "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                SampleFiles.csv(dir), "text/csv",
                SampleFiles.unknownBinary(dir, 50_000), "application/octet-stream");

        files.forEach((file, declared) -> {
            Map<String, Object> accepted = signedUpload(alice, file, declared);
            Map<String, Object> job = TestUploads.completedJob(alice, accepted);

            assertThat((String) job.get("detectedType")).as(file.toString()).isNotBlank();
            assertThat(((Number) job.get("fileSize")).longValue()).isEqualTo(size(file));
            HttpResponse<byte[]> original = download(alice, accepted);
            assertThat(original.body()).as(file.toString()).isEqualTo(bytes(file));
            assertThat(original.headers().firstValue("Content-Disposition"))
                    .hasValueSatisfying(v -> assertThat(v)
                            .startsWith("attachment")
                            .contains(file.getFileName().toString()));
            assertThat(original.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(original.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith((String) job.get("detectedType")));
        });
    }

    @Test
    void aFileOfATypeNoProcessorKnowsCompletesWithTheOriginalOnly() {
        TestClient alice = newUser();
        Path blob = SampleFiles.unknownBinary(dir, 20_000);

        Map<String, Object> job =
                TestUploads.completedJob(alice, signedUpload(alice, blob, "application/x-chute-test"));

        assertThat(job)
                .containsEntry("detectedType", "application/octet-stream")
                .containsEntry("progress", 100)
                .containsEntry("fileName", "blob.bin");
        assertThat(job.get("outputs"))
                .asInstanceOf(InstanceOfAssertFactories.MAP)
                .isEmpty();
    }

    @Test
    void htmlAndSvgAreStoredButNeverServedInline() {
        TestClient alice = newUser();
        for (Path page : List.of(SampleFiles.html(dir), SampleFiles.svg(dir))) {
            Map<String, Object> accepted = signedUpload(alice, page, "text/plain");
            Map<String, Object> job = TestUploads.completedJob(alice, accepted);

            HttpResponse<byte[]> original = download(alice, accepted);

            assertThat((String) job.get("detectedType")).isIn("text/html", "image/svg+xml");
            assertThat(original.body()).isEqualTo(bytes(page));
            assertThat(original.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith((String) job.get("detectedType")));
            assertThat(original.headers().firstValue("Content-Disposition"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith("attachment;"));
            assertThat(original.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(original.headers().firstValue("Content-Security-Policy"))
                    .hasValueSatisfying(v -> assertThat(v).contains("sandbox"));
        }
    }

    @Test
    void aDeniedDeclaredTypeIsRefusedBeforeAnyByteIsSent() {
        TestClient alice = newUser();
        Path exe = SampleFiles.exe(dir);

        TestClient.Response signed = alice.post(
                "/api/uploads",
                Map.of("fileName", "setup.exe", "size", size(exe), "contentType", "application/x-msdownload"));

        assertThat(signed.status()).isEqualTo(415);
        assertThat(signed.contentType()).startsWith("application/problem+json");
        assertThat(signed.json()).doesNotContainKeys("url", "uploadId");
        assertThat((String) signed.json().get("detail")).contains("application/x-msdownload");
    }

    @Test
    void bytesOfADeniedTypeUnderAnotherNameAreRefusedAtCompleteAndNotKept() {
        TestClient alice = newUser();
        Path exe = SampleFiles.exe(dir);
        Map<String, Object> signed = alice.post(
                        "/api/uploads",
                        Map.of(
                                "fileName",
                                "harmless.dat",
                                "size",
                                size(exe),
                                "contentType",
                                "application/octet-stream"))
                .json();
        assertThat(alice.put((String) signed.get("url"), TestUploads.headers(signed), exe)
                        .status())
                .isEqualTo(200);

        TestClient.Response complete = alice.post("/api/uploads/" + signed.get("uploadId") + "/complete", Map.of());

        assertThat(complete.status()).isEqualTo(415);
        assertThat(complete.contentType()).startsWith("application/problem+json");
        assertThat(alice.get("/api/uploads/" + signed.get("uploadId")).json())
                .containsEntry("state", "REJECTED")
                .containsEntry("detectedType", "application/x-msdownload");
        assertThat(alice.get("/api/uploads/" + signed.get("uploadId") + "/download")
                        .status())
                .isEqualTo(403);
    }

    @Test
    void theDirectLaneRefusesADeniedTypeFromThePartHeaders() {
        TestClient alice = newUser();
        Multipart form = Multipart.file("file", "setup.exe", "application/x-msdownload", SampleFiles.exe(dir));

        TestClient.Response refused = alice.postRaw("/api/upload", form.contentType(), form.body());

        assertThat(refused.status()).isEqualTo(415);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat((List<?>) alice.get("/api/jobs").json().get("items")).isEmpty();
    }

    @Test
    void aDeclaredSizeOverTheLimitIsRefusedAtSigning() {
        TestClient alice = newUser();

        TestClient.Response signed = alice.post(
                "/api/uploads",
                Map.of("fileName", "huge.iso", "size", MAX_SIZE + 1, "contentType", "application/octet-stream"));

        assertThat(signed.status()).isEqualTo(413);
        assertThat(signed.contentType()).startsWith("application/problem+json");
        assertThat(signed.json()).doesNotContainKeys("url", "uploadId");
    }

    @Test
    void theDirectLaneRefusesABodyOverTheLimitBeforeReadingIt() {
        TestClient alice = newUser();
        Path big = SampleFiles.unknownBinary(dir, (int) MAX_SIZE + 200_000);
        Multipart form = Multipart.file("file", "big.bin", "application/octet-stream", big);

        TestClient.Response refused = alice.postRaw("/api/upload", form.contentType(), form.body());

        assertThat(refused.status()).isEqualTo(413);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat((List<?>) alice.get("/api/jobs").json().get("items")).isEmpty();
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void aPutCutShortByTheClientStoresNothingAndIsNoErrorOfChutes(CapturedOutput output) throws IOException {
        TestClient alice = newUser();
        Map<String, Object> signed = alice.post(
                        "/api/uploads",
                        Map.of("fileName", "cut.bin", "size", 100_000, "contentType", "application/octet-stream"))
                .json();
        URI url = URI.create((String) signed.get("url"));

        try (Socket socket = new Socket(url.getHost(), url.getPort())) {
            socket.setSoLinger(true, 0); // closing resets the connection, as a cancelled browser upload does
            socket.getOutputStream()
                    .write(("PUT " + url.getRawPath() + "?" + url.getRawQuery() + " HTTP/1.1\r\nHost: localhost\r\n"
                                    + "Content-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n"
                                    + "x".repeat(1000))
                            .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> output.getOut().contains("The client went away during PUT"));
        assertThat(output.getOut()).doesNotContain("Unexpected failure on PUT");
        assertThat(alice.post("/api/uploads/" + signed.get("uploadId") + "/complete", Map.of())
                        .status())
                .isEqualTo(409);
    }

    @Test
    void theClientLearnsTheLimitsBeforeSending() {
        TestClient alice = newUser();

        Map<String, Object> config = alice.get("/api/config").json();

        assertThat(config)
                .extractingByKey("uploads", InstanceOfAssertFactories.MAP)
                .containsEntry("maxSize", (int) MAX_SIZE)
                .containsEntry("allowedTypes", List.of("*/*"))
                .containsEntry("deniedTypes", List.of("application/x-msdownload"))
                .containsKey("multipartThreshold");
    }

    private static Map<String, Object> signedUpload(TestClient user, Path file, String declaredType) {
        TestClient.Response signed = user.post(
                "/api/uploads",
                Map.of("fileName", file.getFileName().toString(), "size", size(file), "contentType", declaredType));
        assertThat(signed.status()).as(signed.body()).isEqualTo(201);
        assertThat(user.put((String) signed.json().get("url"), TestUploads.headers(signed.json()), file)
                        .status())
                .isEqualTo(200);
        TestClient.Response complete =
                user.post("/api/uploads/" + signed.json().get("uploadId") + "/complete", Map.of());
        assertThat(complete.status()).as(complete.body()).isEqualTo(202);
        return complete.json();
    }

    private static HttpResponse<byte[]> download(TestClient user, Map<String, Object> accepted) {
        TestClient.Response redirect = user.get("/api/uploads/" + accepted.get("uploadId") + "/download");
        assertThat(redirect.status()).isEqualTo(302);
        HttpResponse<byte[]> original = user.fetch(redirect.header("Location"));
        assertThat(original.statusCode()).isEqualTo(200);
        return original;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private TestClient newUser() {
        return new TestClient(URI.create("http://localhost:" + port)).registerNewUser();
    }
}
