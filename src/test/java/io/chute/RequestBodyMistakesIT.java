package io.chute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.support.DataDirs;
import io.chute.support.TestClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Broken request bodies are the client's mistake: a chunked body with a bad chunk size line, sent
 * to the embedded store's signed PUT or to {@code POST /api/upload}, is a 400 problem+json, and a
 * client that goes away mid-body leaves no ERROR line either. Written by hand on a socket, since
 * no HTTP client sends a broken chunk.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "logging.level.io.chute.common.ProblemHandler=DEBUG")
@ExtendWith(OutputCaptureExtension.class)
class RequestBodyMistakesIT {

    private static final Path DATA_DIR = DataDirs.fresh("chute-body-mistakes-");
    private static final String BAD_CHUNK = "5\r\nhello\r\nzz-not-a-size\r\nmore\r\n0\r\n\r\n";

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("chute.data-dir", DATA_DIR::toString);
    }

    @Test
    void aBadChunkSizeLineInASignedPutIsA400Problem(CapturedOutput log) {
        TestClient alice = newUser();
        Map<String, Object> signed = alice.post(
                        "/api/uploads",
                        Map.of("fileName", "a.bin", "size", 1000, "contentType", "application/octet-stream"))
                .json();
        URI url = URI.create((String) signed.get("url"));
        String answer =
                send("PUT " + url.getRawPath() + "?" + url.getRawQuery() + " HTTP/1.1\r\nHost: localhost:" + port
                        + "\r\nConnection: close\r\nContent-Type: application/octet-stream"
                        + "\r\nTransfer-Encoding: chunked\r\n\r\n" + BAD_CHUNK);

        assertProblem(answer, 400);
        assertNoErrorLines(log);
    }

    @Test
    void aBadChunkSizeLineInADirectUploadIsA400Problem(CapturedOutput log) {
        TestClient alice = newUser();
        String boundary = "----mistake";
        String part = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\""
                + "\r\nContent-Type: text/plain\r\n\r\nhello world\r\n--" + boundary + "--\r\n";
        String answer = send("POST /api/upload HTTP/1.1\r\nHost: localhost:" + port
                + "\r\nConnection: close\r\nAuthorization: Bearer " + alice.token()
                + "\r\nContent-Type: multipart/form-data; boundary=" + boundary
                + "\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(40) + "\r\n" + part.substring(0, 40) + "\r\n" + "zz-not-a-size\r\n"
                + part.substring(40) + "\r\n0\r\n\r\n");

        assertProblem(answer, 400);
        assertNoErrorLines(log);
    }

    @Test
    void aClientThatAbortsADirectUploadMidBodyLeavesNoErrorLine(CapturedOutput log) throws IOException {
        TestClient alice = newUser();
        String boundary = "----aborted";
        try (Socket socket = new Socket("localhost", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/upload HTTP/1.1\r\nHost: localhost:" + port + "\r\nAuthorization: Bearer "
                            + alice.token() + "\r\nContent-Type: multipart/form-data; boundary=" + boundary
                            + "\r\nContent-Length: 1000000\r\n\r\n--" + boundary
                            + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\""
                            + "\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.write(new byte[64 * 1024]);
            out.flush();
        }
        // the server is left to find out on its own; whatever it logs meanwhile, no ERROR
        await().during(Duration.ofSeconds(5))
                .atMost(Duration.ofSeconds(10))
                .until(() -> log.getAll().lines().noneMatch(line -> line.contains(" ERROR ")));
        assertThat(alice.get("/api/me").status()).isEqualTo(200);
    }

    private String send(String request) {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(bytes);
            return bytes.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertProblem(String answer, int status) {
        assertThat(answer).as(answer).startsWith("HTTP/1.1 " + status);
        String head = answer.substring(0, Math.max(0, answer.indexOf("\r\n\r\n")));
        assertThat(head.toLowerCase()).as(answer).contains("content-type: application/problem+json");
    }

    private static void assertNoErrorLines(CapturedOutput log) {
        assertThat(log.getAll().lines().filter(line -> line.contains(" ERROR ")).toList())
                .isEmpty();
    }

    private TestClient newUser() {
        return new TestClient(URI.create("http://localhost:" + port)).registerNewUser();
    }
}
