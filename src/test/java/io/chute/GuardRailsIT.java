package io.chute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.jwk.source.ImmutableSecret;
import io.chute.support.DataDirs;
import io.chute.support.TestClient;
import io.chute.support.TestSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Client mistakes, on purpose: each listed input gets a 4xx problem, and a fuzz over every endpoint (ids, tokens,
 * bodies, query strings, encodings) never gets a 5xx or puts an ERROR line in the log. Requests are written by
 * hand on a socket, because {@link java.net.URI} refuses the malformed ones a hostile client sends.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "logging.level.io.chute.common.ProblemHandler=DEBUG")
@ExtendWith(OutputCaptureExtension.class)
class GuardRailsIT {

    private static final String SECRET = "guard-rails-token-secret-of-at-least-32-bytes";
    private static final Path DATA_DIR = DataDirs.fresh("chute-guard-rails-");

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("chute.data-dir", DATA_DIR::toString);
        registry.add("chute.auth.token-secret", () -> SECRET);
    }

    record Answer(int status, String head, String body) {
        boolean isProblem() {
            return head.toLowerCase().contains("content-type: application/problem+json");
        }
    }

    @Test
    void aMalformedPercentEncodingIsA400EvenUnauthenticated(CapturedOutput log) {
        assertProblem(raw("GET", "/objects/a/b?sig=%zz", null, null), 400);
        assertProblem(raw("GET", "/api/jobs?cursor=%zz", null, null), 400);
        assertProblem(raw("GET", "/api/users?query=%ff%fe", token(newUser()), null), 400);
        assertNoErrorLines(log);
    }

    @Test
    void aTokenOfAUserThatDoesNotExistOrWhoseSubjectIsNoUuidIsA401(CapturedOutput log) {
        for (String token : List.of(forgedToken(UUID.randomUUID().toString()), forgedToken("not-a-uuid"))) {
            for (String path : List.of("/api/uploads", "/api/channels", "/api/contacts")) {
                assertProblem(
                        raw(
                                "POST",
                                path,
                                token,
                                "{\"fileName\":\"a.jpg\",\"size\":1,\"contentType\":\"image/jpeg\","
                                        + "\"name\":\"x\",\"memberIds\":[],\"userId\":\"" + UUID.randomUUID() + "\"}"),
                        401);
            }
            assertProblem(raw("GET", "/api/me", token, null), 401);
        }
        assertNoErrorLines(log);
    }

    @Test
    void aSocketWithATokenOfNoExistingUserIsClosedWith4401AndTheTokenIsNeverLogged(CapturedOutput log) {
        for (String token : List.of(forgedToken(UUID.randomUUID().toString()), forgedToken("not-a-uuid"))) {
            try (TestSocket socket = TestSocket.open(URI.create("http://localhost:" + port), "access_token=" + token)) {
                assertThat(socket.awaitClose(Duration.ofSeconds(20))).isEqualTo(4401);
            }
            assertThat(log.getAll()).doesNotContain(token);
        }
        assertNoErrorLines(log);
    }

    @Test
    void aClientThatDisconnectsMidPutLeavesNothingAndNoErrorLine(CapturedOutput log) throws IOException {
        TestClient alice = newUser();
        Map<String, Object> signed = alice.post(
                        "/api/uploads",
                        Map.of("fileName", "big.bin", "size", 1_000_000, "contentType", "application/octet-stream"))
                .json();
        URI url = URI.create((String) signed.get("url"));
        try (Socket socket = new Socket("localhost", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT " + url.getRawPath() + "?" + url.getRawQuery() + " HTTP/1.1\r\nHost: localhost:" + port
                            + "\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.write(new byte[64 * 1024]);
            out.flush();
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> log.getAll().contains("Client disconnected during PUT")
                        || log.getAll().contains("The client went away during PUT")
                        || log.getAll().contains("The upload was interrupted"));
        assertThat(alice.post("/api/uploads/" + signed.get("uploadId") + "/complete", Map.of())
                        .status())
                .as("nothing was stored")
                .isEqualTo(409);
        assertNoErrorLines(log);
    }

    @Test
    void aJobsCursorWithAnExtremeTimestampIsA400(CapturedOutput log) {
        String token = token(newUser());
        for (String micros : List.of("9223372036854775807", "-9223372036854775808", "253402300800000000")) {
            String cursor = Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString((micros + ":" + UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII));
            assertProblem(raw("GET", "/api/jobs?cursor=" + cursor, token, null), 400);
        }
        assertNoErrorLines(log);
    }

    @Test
    void aDirectUploadWithANulInItsNameOrAnOverlongPartTypeIsA400(CapturedOutput log) {
        String token = token(newUser());
        assertProblem(multipart(token, "a\u0000b.jpg", "image/jpeg"), 400);
        assertProblem(multipart(token, "a.jpg", "image/" + "x".repeat(300)), 400);
        assertProblem(multipart(token, "a.jpg", "not a type"), 400);
        assertNoErrorLines(log);
    }

    @Test
    void c1ControlsInMessagesAndBidiOverridesInDisplayAndZipNamesAreRefused(CapturedOutput log) {
        TestClient alice = newUser();
        String channel = (String) alice.post("/api/channels", Map.of("name", "room", "memberIds", List.of()))
                .json()
                .get("id");
        assertProblem(
                alice.post(
                        "/api/channels/" + channel + "/messages",
                        Map.of("content", "next\u0085line", "clientMessageId", "c1")),
                400);
        assertProblem(alice.patchJson("/api/me", Map.of("displayName", "admin\u202Egpj")), 400);
        assertProblem(
                anonymous()
                        .post(
                                "/api/auth/register",
                                Map.of(
                                        "username",
                                        "bidi" + UUID.randomUUID().toString().substring(0, 6),
                                        "password",
                                        "long-enough",
                                        "displayName",
                                        "\u202Eevil")),
                400);
        assertProblem(
                alice.post("/api/zips", Map.of("uploadIds", List.of(UUID.randomUUID()), "name", "photos\u202Epiz.exe")),
                400);
        assertNoErrorLines(log);
    }

    @Test
    void everyResponseOfTheWebClientCarriesItsSecurityHeaders() {
        for (String path : List.of("/", "/index.html", "/js/app.js", "/api/me")) {
            String head = raw("GET", path, null, null).head().toLowerCase();
            assertThat(head)
                    .as(path)
                    .contains("content-security-policy: default-src 'self'")
                    .contains("frame-ancestors 'none'")
                    .contains("referrer-policy: no-referrer")
                    .contains("x-content-type-options: nosniff");
        }
    }

    @Test
    void noEndpointAnswers5xxOrLogsAnErrorForAnyOfTheseInputs(CapturedOutput log) {
        TestClient alice = newUser();
        String valid = token(alice);
        List<String> tokens = new ArrayList<>();
        tokens.add(null);
        tokens.add("garbage");
        tokens.add(valid);
        tokens.add(forgedToken(UUID.randomUUID().toString()));
        tokens.add(forgedToken("x\u0000y"));
        List<String> ids =
                List.of(UUID.randomUUID().toString(), "not-a-uuid", "%zz", "%00", "x".repeat(300), "..%2f..%2fetc");
        List<String> bodies = List.of(
                "",
                "null",
                "[]",
                "{",
                "{}",
                "\"text\"",
                "{\"a\":" + "[".repeat(2000) + "}",
                weirdFields(),
                "{\"size\":99999999999999999999999,\"bytes\":1e308,\"limit\":-1}");
        List<String> queries = List.of(
                "?cursor=MTIzOmFiYw",
                "?limit=-1",
                "?limit=abc",
                "?status=NOPE",
                "?before=%zz",
                "?query=%00",
                "?query=" + "a".repeat(5000),
                "?x=%e2%82",
                "?since=-1",
                "?cursor=" + "A".repeat(3000));
        Map<String, Integer> statuses = new LinkedHashMap<>();
        for (String[] endpoint : ENDPOINTS) {
            String method = endpoint[0];
            for (String id : ids) {
                for (String token : tokens) {
                    record(statuses, method, endpoint[1].replace("{id}", id), token, "{}");
                }
            }
            String path = endpoint[1].replace("{id}", UUID.randomUUID().toString());
            for (String body : bodies) {
                record(statuses, method, path, valid, body);
            }
            for (String query : queries) {
                record(statuses, method, path + query, valid, null);
            }
        }
        assertThat(statuses)
                .as("requests that got a 5xx")
                .allSatisfy((request, status) -> assertThat(status).as(request).isLessThan(500));
        assertThat(statuses).hasSizeGreaterThan(1000);
        assertNoErrorLines(log);
    }

    private static final String[][] ENDPOINTS = {
        {"POST", "/api/auth/register"},
        {"POST", "/api/auth/login"},
        {"GET", "/api/me"},
        {"PATCH", "/api/me"},
        {"GET", "/api/users"},
        {"GET", "/api/contacts"},
        {"POST", "/api/contacts"},
        {"DELETE", "/api/contacts/{id}"},
        {"POST", "/api/uploads"},
        {"POST", "/api/uploads/{id}/parts"},
        {"GET", "/api/uploads/{id}/parts"},
        {"DELETE", "/api/uploads/{id}"},
        {"POST", "/api/uploads/{id}/complete"},
        {"POST", "/api/upload"},
        {"GET", "/api/uploads/{id}"},
        {"GET", "/api/uploads/{id}/download"},
        {"GET", "/api/jobs/{id}"},
        {"GET", "/api/jobs"},
        {"POST", "/api/jobs/{id}/retry"},
        {"POST", "/api/jobs/{id}/cancel"},
        {"POST", "/api/zips"},
        {"GET", "/api/admin/queues"},
        {"GET", "/api/admin/jobs"},
        {"POST", "/api/admin/jobs/{id}/retry"},
        {"PUT", "/api/admin/users/{id}/quota"},
        {"POST", "/api/channels"},
        {"POST", "/api/channels/direct"},
        {"GET", "/api/channels"},
        {"GET", "/api/channels/{id}"},
        {"POST", "/api/channels/{id}/members"},
        {"DELETE", "/api/channels/{id}/members/{id}"},
        {"POST", "/api/channels/{id}/messages"},
        {"GET", "/api/channels/{id}/messages"},
        {"POST", "/api/channels/{id}/read"},
        {"GET", "/api/messages/{id}/receipts"},
        {"PUT", "/objects/uploads/{id}/{id}"},
        {"GET", "/objects/uploads/{id}/{id}"},
        {"OPTIONS", "/objects/a/{id}"},
    };

    private static String weirdFields() {
        return "{\"fileName\":\"a\\u0000b\",\"size\":-1,\"contentType\":\"" + "x".repeat(300)
                + "\",\"partNumbers\":[0,-1,null,99999],"
                + "\"sha256\":{\"x\":\"y\"},\"parts\":[{\"partNumber\":null},null],\"content\":\"\\u0085\",\"clientMessageId\":\"\","
                + "\"name\":\"\\u202e\",\"memberIds\":[\"x\",null],\"userId\":\"nope\",\"uploadIds\":[null],\"username\":\"a\\u0000\","
                + "\"password\":null,\"displayName\":\"\\u202egpj\",\"bytes\":\"many\",\"messageId\":123,\"channelId\":[]}";
    }

    private void record(Map<String, Integer> statuses, String method, String path, String token, String body) {
        Answer answer = raw(method, path, token, body);
        statuses.put(
                method + " " + path.substring(0, Math.min(path.length(), 120)) + " token="
                        + (token == null ? "none" : token.length() > 12 ? token.substring(token.length() - 8) : token)
                        + " body=" + abbreviate(body),
                answer.status());
    }

    private static String abbreviate(String body) {
        return body == null ? "none" : body.length() > 40 ? body.substring(0, 40) + "…" : body;
    }

    private Answer multipart(String token, String fileName, String partType) {
        String boundary = "----guard" + UUID.randomUUID();
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
                + "\"\r\n" + "Content-Type: " + partType + "\r\n\r\nhello\r\n--" + boundary + "--\r\n";
        return raw("POST", "/api/upload", token, body, "multipart/form-data; boundary=" + boundary);
    }

    private Answer raw(String method, String target, String token, String body) {
        return raw(method, target, token, body, "application/json");
    }

    /** One HTTP/1.1 request written byte for byte, so that any target (even one java.net.URI refuses) can be sent. */
    private Answer raw(String method, String target, String token, String body, String contentType) {
        byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(
                method + " " + target + " HTTP/1.1\r\nHost: localhost:" + port + "\r\nConnection: close\r\n");
        if (token != null) {
            head.append("Authorization: Bearer ")
                    .append(token.replace("\u0000", "%00"))
                    .append("\r\n");
        }
        if (body != null) {
            head.append("Content-Type: ")
                    .append(contentType)
                    .append("\r\nContent-Length: ")
                    .append(payload.length)
                    .append("\r\n");
        }
        head.append("\r\n");
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            out.write(payload);
            out.flush();
            String response = new String(readAll(socket.getInputStream()), StandardCharsets.UTF_8);
            int split = response.indexOf("\r\n\r\n");
            String responseHead = split < 0 ? response : response.substring(0, split);
            int status = Integer.parseInt(responseHead.substring(9, 12));
            return new Answer(status, responseHead, split < 0 ? "" : response.substring(split + 4));
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + target, e);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        in.transferTo(bytes);
        return bytes.toByteArray();
    }

    private static void assertProblem(Answer answer, int status) {
        assertThat(answer.status()).as(answer.head() + "\n" + answer.body()).isEqualTo(status);
        assertThat(answer.isProblem()).as(answer.head()).isTrue();
    }

    private static void assertProblem(TestClient.Response response, int status) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
    }

    private static void assertNoErrorLines(CapturedOutput log) {
        assertThat(log.getAll().lines().filter(line -> line.contains(" ERROR ")).toList())
                .isEmpty();
    }

    /** A token signed with Chute's own secret, for a subject of the test's choosing. */
    private static String forgedToken(String subject) {
        var key = new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        JwtClaimsSet claims = JwtClaimsSet.builder()
                .issuer("chute")
                .subject(subject)
                .issuedAt(Instant.now())
                .expiresAt(Instant.now().plusSeconds(600))
                .claim("username", "ghost")
                .claim("admin", true)
                .build();
        return new NimbusJwtEncoder(new ImmutableSecret<>(key))
                .encode(JwtEncoderParameters.from(
                        JwsHeader.with(MacAlgorithm.HS256).build(), claims))
                .getTokenValue();
    }

    private TestClient anonymous() {
        return new TestClient(URI.create("http://localhost:" + port));
    }

    private TestClient newUser() {
        return anonymous().registerNewUser();
    }

    private static String token(TestClient user) {
        return user.token();
    }
}
