package io.chute.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.DataDirs;
import io.chute.support.TestClient;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Each limit, set low: the request after the capacity gets 429 with its policy, on one node. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RateLimitsIT {

    private static final Path DATA_DIR = DataDirs.fresh("chute-rate-limits-it-");

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("chute.data-dir", DATA_DIR::toString);
        registry.add("chute.rate-limits.register-address.capacity", () -> "3");
        registry.add("chute.rate-limits.login-address.capacity", () -> "3");
        registry.add("chute.rate-limits.uploads-user.capacity", () -> "2");
        registry.add("chute.rate-limits.messages-user.capacity", () -> "2");
    }

    @Test
    void registrationsFailedLoginsUploadSigningAndMessagesAreEachLimited() {
        TestClient anonymous = new TestClient(URI.create("http://localhost:" + port));
        TestClient alice = anonymous.registerNewUser();
        anonymous.registerNewUser();
        anonymous.registerNewUser();
        assertLimited(
                anonymous.post("/api/auth/register", Map.of("username", "late" + suffix(), "password", "long-enough")),
                "register-address");

        for (int i = 0; i < 3; i++) {
            assertThat(anonymous
                            .post("/api/auth/login", Map.of("username", "nobody" + suffix(), "password", "wrong-one"))
                            .status())
                    .isEqualTo(401);
        }
        assertLimited(
                anonymous.post("/api/auth/login", Map.of("username", "nobody" + suffix(), "password", "wrong-one")),
                "login-address");

        Map<String, Object> upload = Map.of("fileName", "a.jpg", "size", 10, "contentType", "image/jpeg");
        assertThat(alice.post("/api/uploads", upload).status()).isEqualTo(201);
        assertThat(alice.post("/api/uploads", upload).status()).isEqualTo(201);
        assertLimited(alice.post("/api/uploads", upload), "uploads-user");

        String channel = (String) alice.post("/api/channels", Map.of("name", "room", "memberIds", List.of()))
                .json()
                .get("id");
        for (int i = 0; i < 2; i++) {
            assertThat(alice.post(
                                    "/api/channels/" + channel + "/messages",
                                    Map.of("content", "hi " + i, "clientMessageId", "m" + i))
                            .status())
                    .isEqualTo(202);
        }
        assertLimited(
                alice.post(
                        "/api/channels/" + channel + "/messages",
                        Map.of("content", "one more", "clientMessageId", "m9")),
                "messages-user");
    }

    private static void assertLimited(TestClient.Response response, String policy) {
        assertThat(response.status()).as(response.body()).isEqualTo(429);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json()).containsEntry("policy", policy);
        assertThat(Long.parseLong(response.header("Retry-After"))).isPositive();
        assertThat(response.header("RateLimit-Policy")).startsWith("\"" + policy + "\";q=");
        assertThat(response.header("RateLimit")).startsWith("\"" + policy + "\";r=0;t=");
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
