package io.chute.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.EmbeddedChuteIT;
import io.chute.support.TestClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * What a browser on another origin asks before it calls Chute, sent as raw HTTP: the listed origin
 * may call {@code /api/**} and open {@code /ws}, any other gets no CORS headers, and the signed
 * object URLs take PUTs from any origin and expose their {@code ETag}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext // why: its own settings, so its own context, closed when the class is done
class CrossOriginIT {

    @LocalServerPort
    int port;

    static final String APP = "http://app.example.test:3000";
    static final String STRANGER = "http://evil.example.test";

    private final HttpClient http = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void origins(DynamicPropertyRegistry registry) {
        EmbeddedChuteIT.ownContext(registry, "cross-origin");
        registry.add("chute.cors.allowed-origins", () -> APP);
    }

    @Test
    void aListedOriginMayPostUploadsWithItsTokenAndJson() {
        HttpResponse<String> preflight = preflight("/api/uploads", APP, "POST", "authorization,content-type");

        assertThat(preflight.statusCode()).isBetween(200, 299);
        assertThat(header(preflight, "Access-Control-Allow-Origin")).isEqualTo(APP);
        assertThat(header(preflight, "Access-Control-Allow-Methods")).contains("POST");
        assertThat(header(preflight, "Access-Control-Allow-Headers").toLowerCase())
                .contains("authorization", "content-type");
    }

    @Test
    void anUnlistedOriginGetsNoAllowOrigin() {
        HttpResponse<String> preflight = preflight("/api/uploads", STRANGER, "POST", "authorization,content-type");

        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
                .isEmpty();
    }

    @Test
    void aListedOriginReadsTheAnswersOfItsCalls() throws Exception {
        TestClient alice = newUser();

        HttpResponse<String> me = http.send(
                HttpRequest.newBuilder(uri("/api/me"))
                        .header("Origin", APP)
                        .header("Authorization", "Bearer " + alice.token())
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(header(me, "Access-Control-Allow-Origin")).isEqualTo(APP);
    }

    @Test
    void signedObjectUrlsTakePutsFromAnyOriginAndExposeTheEtag() throws Exception {
        TestClient alice = newUser();
        byte[] bytes = "hello from another origin\n".getBytes(StandardCharsets.UTF_8);
        Map<String, Object> signed = alice.post(
                        "/api/uploads",
                        Map.of("fileName", "hello.txt", "size", bytes.length, "contentType", "text/plain"))
                .json();
        String url = (String) signed.get("url");

        HttpResponse<String> preflight = preflight(URI.create(url), STRANGER, "PUT", "content-type");

        assertThat(preflight.statusCode()).isBetween(200, 299);
        assertThat(header(preflight, "Access-Control-Allow-Origin")).isIn("*", STRANGER);
        assertThat(header(preflight, "Access-Control-Allow-Methods")).contains("PUT");
        assertThat(header(preflight, "Access-Control-Allow-Headers").toLowerCase())
                .contains("content-type");

        HttpResponse<String> put = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Origin", STRANGER)
                        .header("Content-Type", "text/plain")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(header(put, "ETag")).isNotBlank();
        assertThat(header(put, "Access-Control-Allow-Origin")).isIn("*", STRANGER);
        assertThat(header(put, "Access-Control-Expose-Headers")).containsIgnoringCase("ETag");
    }

    @Test
    void theWebSocketTakesAListedOriginAndRefusesAnUnlistedOne() {
        TestClient alice = newUser();

        assertThat(upgradeStatus(alice.token(), APP)).isEqualTo(101);
        assertThat(upgradeStatus(alice.token(), STRANGER)).isEqualTo(403);
    }

    private HttpResponse<String> preflight(String path, String origin, String method, String headers) {
        return preflight(uri(path), origin, method, headers);
    }

    private HttpResponse<String> preflight(URI target, String origin, String method, String headers) {
        try {
            return http.send(
                    HttpRequest.newBuilder(target)
                            .header("Origin", origin)
                            .header("Access-Control-Request-Method", method)
                            .header("Access-Control-Request-Headers", headers)
                            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The status line of a WebSocket handshake sent as a browser would, with its Origin. */
    private int upgradeStatus(String token, String origin) {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(("GET /ws?access_token=" + token + " HTTP/1.1\r\nHost: localhost:" + port + "\r\n"
                            + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            + "Sec-WebSocket-Version: 13\r\nOrigin: " + origin + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String statusLine = new BufferedReader(
                            new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            return Integer.parseInt(statusLine.split(" ")[1]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse("");
    }

    private TestClient newUser() {
        return new TestClient(URI.create("http://localhost:" + port)).registerNewUser();
    }
}
