package io.chute;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.EmbeddedChuteIT;
import io.chute.support.TestClient;
import io.chute.support.TestUploads;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What a client gets wrong, and what it is told: the right status, always as problem+json. */
class ApiErrorsIT extends EmbeddedChuteIT {

    @Test
    void everyApiCallNeedsAValidToken() {
        for (String path : new String[] {"/api/me", "/api/jobs", "/api/jobs/" + UUID.randomUUID()}) {
            assertProblem(anonymous().get(path), 401);
            assertProblem(anonymous().withToken("not.a.token").get(path), 401);
        }
        assertProblem(
                anonymous().post("/api/uploads", Map.of("fileName", "a.jpg", "size", 1, "contentType", "image/jpeg")),
                401);
    }

    @Test
    void aTokenSignedWithAnotherKeyIsRefused() {
        String forged =
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIiwiYWRtaW4iOnRydWV9.c2lnbmF0dXJlLW9mLWFub3RoZXIta2V5LXh4eHh4eHg";
        assertProblem(anonymous().withToken(forged).get("/api/me"), 401);
    }

    @Test
    void registersLogsInAndKnowsWhoYouAre() {
        String name = "dora" + UUID.randomUUID().toString().substring(0, 6);
        TestClient.Response registered = anonymous()
                .post("/api/auth/register", Map.of("username", name, "password", "s3cret-pass", "displayName", "Dora"));
        assertThat(registered.status()).isEqualTo(201);

        TestClient.Response login =
                anonymous().post("/api/auth/login", Map.of("username", name.toUpperCase(), "password", "s3cret-pass"));
        assertThat(login.status()).isEqualTo(200);

        Map<String, Object> me = anonymous()
                .withToken((String) login.json().get("token"))
                .get("/api/me")
                .json();
        assertThat(me)
                .containsEntry("username", name)
                .containsEntry("displayName", "Dora")
                .containsKey("id")
                .containsKey("admin");
        assertThat(me).doesNotContainKeys("password", "passwordHash");
    }

    @Test
    void refusesBadRegistrationsAndWrongPasswords() {
        String name = "erin" + UUID.randomUUID().toString().substring(0, 6);
        assertThat(anonymous()
                        .post("/api/auth/register", Map.of("username", name, "password", "long-enough"))
                        .status())
                .isEqualTo(201);

        assertProblem(
                anonymous()
                        .post("/api/auth/register", Map.of("username", name.toUpperCase(), "password", "long-enough")),
                409);
        assertProblem(anonymous().post("/api/auth/register", Map.of("username", "x", "password", "long-enough")), 400);
        assertProblem(
                anonymous().post("/api/auth/register", Map.of("username", "<script>", "password", "long-enough")), 400);
        assertProblem(anonymous().post("/api/auth/register", Map.of("username", "frank123", "password", "short")), 400);
        assertProblem(anonymous().post("/api/auth/login", Map.of("username", name, "password", "wrong-password")), 401);
        assertProblem(
                anonymous().post("/api/auth/login", Map.of("username", "nobody-here", "password", "wrong-password")),
                401);
    }

    @Test
    void anotherUsersJobIsNotFoundAndSoIsAnUnknownOne() {
        TestClient alice = newUser();
        TestClient mallory = newUser();
        Map<String, Object> accepted = TestUploads.acceptedJob(alice);

        assertThat(alice.get((String) accepted.get("statusUrl")).status()).isEqualTo(200);
        assertProblem(mallory.get((String) accepted.get("statusUrl")), 404);
        assertProblem(mallory.get("/api/uploads/" + accepted.get("uploadId")), 404);
        assertProblem(mallory.post("/api/uploads/" + accepted.get("uploadId") + "/complete", Map.of()), 404);
        assertProblem(alice.get("/api/jobs/" + UUID.randomUUID()), 404);
        assertProblem(alice.get("/api/jobs/not-a-uuid"), 400);
    }

    @Test
    void invalidUploadRequestsAre400WithTheReason() {
        TestClient alice = newUser();

        TestClient.Response noName = alice.post("/api/uploads", Map.of("size", 10, "contentType", "image/jpeg"));
        assertProblem(noName, 400);
        assertThat(noName.json().get("detail")).asString().contains("fileName");

        assertProblem(
                alice.post("/api/uploads", Map.of("fileName", " ", "size", 10, "contentType", "image/jpeg")), 400);
        assertProblem(
                alice.post("/api/uploads", Map.of("fileName", "a.jpg", "size", 0, "contentType", "image/jpeg")), 400);
        assertProblem(
                alice.post("/api/uploads", Map.of("fileName", "a.jpg", "size", -5, "contentType", "image/jpeg")), 400);
        assertProblem(
                alice.post("/api/uploads", Map.of("fileName", "a.jpg", "size", "ten", "contentType", "image/jpeg")),
                400);
        assertProblem(
                alice.post("/api/uploads", Map.of("fileName", "a.jpg", "size", 10, "contentType", "not a type")), 400);
        assertProblem(
                alice.post("/api/uploads", Map.of("fileName", "a\u0000.jpg", "size", 10, "contentType", "image/jpeg")),
                400);
        assertProblem(
                alice.post(
                        "/api/uploads", Map.of("fileName", "x".repeat(300), "size", 10, "contentType", "image/jpeg")),
                400);
        assertProblem(
                alice.post("/api/uploads", Map.of("fileName", "../..", "size", 10, "contentType", "image/jpeg")), 400);
        assertProblem(
                alice.post(
                        "/api/uploads", Map.of("fileName", "huge.jpg", "size", 6L << 30, "contentType", "image/jpeg")),
                413);
        assertProblem(
                alice.postRaw(
                        "/api/uploads", "application/json", HttpRequest.BodyPublishers.ofString("{\"fileName\":")),
                400);
        assertProblem(alice.postRaw("/api/uploads", "application/json", HttpRequest.BodyPublishers.noBody()), 400);
    }

    @Test
    void signedUrlsCannotBeTamperedWith() {
        TestClient alice = newUser();
        byte[] body = new byte[100];
        Map<String, Object> signed = alice.post(
                        "/api/uploads", Map.of("fileName", "a.jpg", "size", body.length, "contentType", "image/jpeg"))
                .json();
        String url = (String) signed.get("url");
        Map<String, String> headers = Map.of("Content-Type", "image/jpeg");

        assertProblem(alice.putBytes(url.replace("&s=100", "&s=1000"), headers, body), 403);
        assertProblem(alice.putBytes(url.replaceFirst("&e=\\d+", "&e=9999999999"), headers, body), 403);
        assertProblem(alice.putBytes(withFirstSignatureCharacterChanged(url), headers, body), 403);
        assertProblem(alice.putBytes(url.replace("m=PUT", "m=GET"), headers, body), 403);
        assertProblem(alice.putBytes(url, Map.of("Content-Type", "text/html"), body), 403);
        assertProblem(alice.putBytes(url, headers, new byte[101]), 413);
        assertProblem(alice.putBytes(url, headers, new byte[99]), 400);
        assertThat(alice.fetch(url).statusCode()).isEqualTo(403);
        assertThat(alice.putBytes(url, headers, body).status()).isEqualTo(200);
    }

    @Test
    void theDirectLaneRefusesWhatIsNotAFileUpload() {
        TestClient alice = newUser();
        assertProblem(alice.post("/api/upload", Map.of("file", "x")), 415);
        assertProblem(
                alice.postRaw(
                        "/api/upload",
                        "multipart/form-data; boundary=abc",
                        HttpRequest.BodyPublishers.ofString(
                                "--abc\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--abc--\r\n")),
                400);
        assertProblem(
                alice.postRaw(
                        "/api/upload",
                        "multipart/form-data; boundary=abc",
                        HttpRequest.BodyPublishers.ofString(
                                "--abc\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n\r\nshort")),
                400);
    }

    /** Changes the signature's first character to another one (a fixed replacement equals it one time in 64). */
    static String withFirstSignatureCharacterChanged(String url) {
        int at = url.indexOf("sig=") + "sig=".length();
        char changed = url.charAt(at) == 'A' ? 'B' : 'A';
        return url.substring(0, at) + changed + url.substring(at + 1);
    }

    static void assertProblem(TestClient.Response response, int status) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json()).containsEntry("status", status).containsKeys("type", "title", "detail");
    }
}
