package io.chute.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.support.ChuteProcess;
import io.chute.support.TestClient;
import io.chute.support.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two API nodes on one database, with nothing shared but PostgreSQL: failed logins for one username are
 * limited across both, because the buckets live in the database.
 */
class LoginRateLimitIT {

    @TempDir
    Path dir;

    @Test
    void failedLoginsForOneUsernameAreLimitedAcrossTwoNodesAndTheOwnerGetsInAfterTheWindow() throws Exception {
        try (TestDatabase database = TestDatabase.create()) {
            List<String> shared = List.of(
                    "--spring.datasource.url=" + database.jdbcUrl(),
                    "--spring.datasource.username=" + database.user(),
                    "--chute.roles=api,gateway",
                    "--chute.auth.token-secret=a-shared-secret-of-at-least-thirty-two-bytes",
                    "--chute.rate-limits.login-username.capacity=10",
                    "--chute.rate-limits.login-username.period=20s");
            try (ChuteProcess a = ChuteProcess.start(
                            dir.resolve("a.log"), args(shared, "--chute.data-dir=" + dir.resolve("a")));
                    ChuteProcess b = ChuteProcess.start(
                            dir.resolve("b.log"), args(shared, "--chute.data-dir=" + dir.resolve("b")))) {
                String username = "victim" + UUID.randomUUID().toString().substring(0, 8);
                a.client().registerAs(username);
                List<TestClient> nodes = List.of(a.client(), b.client());

                List<Integer> statuses = new ArrayList<>();
                TestClient.Response limited = null;
                for (int attempt = 0; attempt < 30 && limited == null; attempt++) {
                    TestClient.Response r = nodes.get(attempt % 2)
                            .post("/api/auth/login", Map.of("username", username, "password", "wrong-" + attempt));
                    statuses.add(r.status());
                    if (r.status() == 429) {
                        limited = r;
                    }
                }

                assertThat(limited).as("a 429 among %s", statuses).isNotNull();
                assertThat(statuses.size()).as("attempts until the first 429").isLessThan(30);
                assertThat(statuses.subList(0, statuses.size() - 1)).containsOnly(401);
                assertThat(limited.contentType()).startsWith("application/problem+json");
                assertThat(Long.parseLong(limited.header("Retry-After"))).isPositive();
                assertThat(limited.header("RateLimit-Policy")).isEqualTo("\"login-username\";q=10;w=20");
                assertThat(limited.header("RateLimit")).startsWith("\"login-username\";r=0;t=");
                assertThat(nodes.get(statuses.size() % 2)
                                .post(
                                        "/api/auth/login",
                                        Map.of("username", username, "password", "password-" + username))
                                .status())
                        .as("the other node refuses too, even the right password, within the window")
                        .isEqualTo(429);

                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> b.client()
                                        .post(
                                                "/api/auth/login",
                                                Map.of("username", username, "password", "password-" + username))
                                        .status()
                                == 200);
                assertThat(Files.readAllLines(dir.resolve("a.log"))).noneMatch(line -> line.contains(" ERROR "));
                assertThat(Files.readAllLines(dir.resolve("b.log"))).noneMatch(line -> line.contains(" ERROR "));
            }
        }
    }

    private static String[] args(List<String> shared, String... more) {
        List<String> all = new ArrayList<>(shared);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
