package io.chute.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.DataDirs;
import io.chute.support.Images;
import io.chute.support.Multipart;
import io.chute.support.TestClient;
import io.chute.support.TestUploads;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@code chute.uploads.quota=1MB}: refused at signing, at the direct lane, freed by deleting; admins override it. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class QuotaIT {

    private static final Path DATA_DIR = DataDirs.fresh("chute-quota-it-");
    private static final String ADMIN = "qa" + UUID.randomUUID().toString().substring(0, 8);
    private static final long KB600 = 600 * 1024;
    private static final long MB1 = 1024 * 1024;

    @LocalServerPort
    int port;

    @TempDir
    Path dir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("chute.data-dir", DATA_DIR::toString);
        registry.add("chute.jobs.poll-interval", () -> "500ms");
        registry.add("chute.uploads.quota", () -> "1MB");
        registry.add("chute.admin-users", () -> ADMIN);
    }

    @Test
    void aSecondUploadOverTheQuotaIsRefusedAtSigningAndDeletingTheFirstFreesTheSpace() {
        TestClient alice = newUser();
        Path photo = Images.paddedJpeg(dir, KB600);
        Map<String, Object> first = TestUploads.signedUpload(alice, photo, "first.jpg");
        TestUploads.completedJob(alice, first);
        assertThat(alice.get("/api/me").json())
                .containsEntry("usage", Map.of("bytes", (int) KB600, "files", 1))
                .containsEntry("quota", Map.of("bytes", (int) MB1));

        TestClient.Response refused = alice.post("/api/uploads", request("second.jpg", KB600));

        assertThat(refused.status()).isEqualTo(413);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat((String) refused.json().get("type")).endsWith("/quota-exceeded");

        assertThat(alice.delete("/api/uploads/" + first.get("uploadId")).status())
                .isEqualTo(204);
        assertThat(alice.get("/api/me").json()).containsEntry("usage", Map.of("bytes", 0, "files", 0));
        assertThat(alice.get("/api/uploads/" + first.get("uploadId") + "/download")
                        .status())
                .isEqualTo(410);
        assertThat(alice.post("/api/uploads", request("second.jpg", KB600)).status())
                .isEqualTo(201);
    }

    @Test
    void aDirectUploadOverTheRemainingQuotaIsRefusedAndStoresNothing() {
        TestClient bob = newUser();
        TestUploads.completedJob(bob, TestUploads.signedUpload(bob, Images.paddedJpeg(dir, KB600), "first.jpg"));
        Multipart form = Multipart.file("file", "second.jpg", "image/jpeg", Images.paddedJpeg(dir, KB600));

        TestClient.Response refused = bob.postRaw("/api/upload", form.contentType(), form.body());

        assertThat(refused.status()).isEqualTo(413);
        assertThat((String) refused.json().get("type")).endsWith("/quota-exceeded");
        assertThat(bob.get("/api/me").json()).containsEntry("usage", Map.of("bytes", (int) KB600, "files", 1));
    }

    @Test
    void aDirectUploadDeclaringMoreThanTheRemainingQuotaIsRefusedBeforeItsBodyIsSent() throws IOException {
        TestClient dan = newUser();
        TestUploads.completedJob(dan, TestUploads.signedUpload(dan, Images.paddedJpeg(dir, KB600), "first.jpg"));

        try (Socket socket = new Socket("localhost", port)) {
            // why: only the headers go; a server that waited for the body would never answer
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("POST /api/upload HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + dan.token()
                                    + "\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: "
                                    + (KB600 + 100 * 1024) + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            String statusLine = new BufferedReader(
                            new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();

            assertThat(statusLine).startsWith("HTTP/1.1 413");
        }
    }

    @Test
    void anAdminCanRaiseOneUsersQuotaAndResetIt() {
        TestClient admin = anonymous().registerAs(ADMIN);
        TestClient carol = newUser();
        String carolId = (String) carol.get("/api/me").json().get("id");

        TestClient.Response raised = admin.putJson("/api/admin/users/" + carolId + "/quota", Map.of("bytes", 10 * MB1));

        assertThat(raised.status()).as(raised.body()).isEqualTo(200);
        assertThat(carol.get("/api/me").json()).containsEntry("quota", Map.of("bytes", (int) (10 * MB1)));
        assertThat(carol.post("/api/uploads", request("big.jpg", 5 * MB1)).status())
                .isEqualTo(201);
        Map<String, Object> reset = new HashMap<>();
        reset.put("bytes", null);
        assertThat(admin.putJson("/api/admin/users/" + carolId + "/quota", reset)
                        .status())
                .isEqualTo(200);
        assertThat(carol.get("/api/me").json()).containsEntry("quota", Map.of("bytes", (int) MB1));
        assertThat(carol.putJson("/api/admin/users/" + carolId + "/quota", Map.of("bytes", 1))
                        .status())
                .isEqualTo(403);
        assertThat(admin.putJson("/api/admin/users/" + UUID.randomUUID() + "/quota", Map.of("bytes", 1))
                        .status())
                .isEqualTo(404);
        assertThat(admin.putJson("/api/admin/users/" + carolId + "/quota", Map.of("bytes", -1))
                        .status())
                .isEqualTo(400);
    }

    private static Map<String, Object> request(String name, long size) {
        return Map.of("fileName", name, "size", size, "contentType", "image/jpeg");
    }

    private TestClient anonymous() {
        return new TestClient(URI.create("http://localhost:" + port));
    }

    private TestClient newUser() {
        return anonymous().registerNewUser();
    }
}
