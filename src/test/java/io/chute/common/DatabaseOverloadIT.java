package io.chute.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.ChuteIT;
import io.chute.support.TestClient;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Every pooled connection busy (held here) while PostgreSQL answers: requests get a 503 overload problem with a
 * short {@code Retry-After} after the pool's connection timeout, health stays UP and nothing says the database is
 * unreachable; once connections are free again, the same requests succeed.
 */
@ChuteIT({
    "chute.roles=api",
    "spring.datasource.hikari.maximum-pool-size=3",
    "spring.datasource.hikari.connection-timeout=300"
})
@ExtendWith(OutputCaptureExtension.class)
class DatabaseOverloadIT {

    @LocalServerPort
    int port;

    @Autowired
    DataSource dataSource;

    @Test
    void anExhaustedPoolIsAnOverload503NotAnOutage(CapturedOutput output) throws Exception {
        TestClient anonymous = new TestClient(URI.create("http://localhost:" + port));
        TestClient alice = anonymous.registerNewUser();
        assertThat(alice.get("/api/jobs").status()).isEqualTo(200);

        List<Connection> held = new ArrayList<>();
        try {
            while (true) {
                try {
                    held.add(dataSource.getConnection());
                } catch (SQLException e) {
                    assertThat(DatabaseOutages.isOverloaded(e)).as(e.toString()).isTrue();
                    break;
                }
            }
            assertThat(held).hasSize(3);

            for (String path : List.of("/api/jobs", "/api/uploads/00000000-0000-0000-0000-000000000001")) {
                long start = System.nanoTime();
                TestClient.Response busy = alice.get(path);
                assertThat(busy.status()).as(path + ": " + busy.body()).isEqualTo(503);
                assertThat(busy.contentType()).startsWith("application/problem+json");
                assertThat(busy.header("Retry-After")).isEqualTo("1");
                assertThat(busy.json())
                        .containsEntry("retryAfterSeconds", 1)
                        .containsEntry("detail", "Chute is overloaded; try again shortly");
                assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(3_000);
            }
            TestClient.Response presign = alice.post(
                    "/api/uploads", java.util.Map.of("fileName", "a.txt", "size", 3, "contentType", "text/plain"));
            assertThat(presign.status()).as(presign.body()).isEqualTo(503);
            assertThat(presign.header("Retry-After")).isEqualTo("1");

            TestClient.Response health = anonymous.get("/actuator/health");
            assertThat(health.status()).as(health.body()).isEqualTo(200);
            assertThat(health.json()).containsEntry("status", "UP");
            assertThat(DatabaseOutages.isDown()).isFalse();
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }

        assertThat(alice.get("/api/jobs").status()).isEqualTo(200);
        assertThat(output.getAll())
                .contains("Overloaded (GET /api/jobs)")
                .doesNotContain("PostgreSQL is unreachable")
                .doesNotContain(" ERROR ");
    }
}
