package io.chute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.support.ChuteProcess;
import io.chute.support.Images;
import io.chute.support.Multipart;
import io.chute.support.TcpRelay;
import io.chute.support.TestClient;
import io.chute.support.TestDatabase;
import io.chute.support.TestUploads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL unreachable for one Chute node, through a relay the test cuts (the machine's
 * PostgreSQL keeps running for everyone else): every API answer meanwhile is a success or 503
 * problem+json with {@code Retry-After} within 3 s, never a 500; the node logs one WARN for the
 * outage and no ERROR; once the relay is restored, uploads complete again.
 */
class DatabaseOutageFaultIT {

    private static final Duration FAST = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    @Test
    void requestsGet503WithRetryAfterFastWhileTheDatabaseIsUnreachableAndUploadsCompleteAfterwards() throws Exception {
        try (TestDatabase database = TestDatabase.create();
                TcpRelay relay = TcpRelay.to("127.0.0.1", 5432)) {
            String viaRelay = database.jdbcUrl().replaceFirst("//[^/]+/", "//127.0.0.1:" + relay.port() + "/");
            Path log = dir.resolve("chute.log");
            try (ChuteProcess chute = ChuteProcess.start(
                    log,
                    "--spring.datasource.url=" + viaRelay,
                    "--spring.datasource.username=" + database.user(),
                    "--chute.data-dir=" + dir.resolve("data"),
                    "--chute.jobs.poll-interval=500ms")) {
                TestClient alice = chute.client().registerNewUser();
                Path photo = Images.jpeg(dir, 320, 240);
                TestUploads.completedJob(alice, TestUploads.acceptedJob(alice, photo));

                relay.cut();
                List<String> answers = new ArrayList<>();
                for (int round = 0; round < 3; round++) {
                    answers.add(timed("GET /api/jobs", () -> alice.get("/api/jobs")));
                    answers.add(timed("GET /api/me", () -> alice.get("/api/me")));
                    answers.add(timed("GET /api/channels", () -> alice.get("/api/channels")));
                    answers.add(
                            timed("POST /api/channels", () -> alice.post("/api/channels", Map.of("name", "outage"))));
                    answers.add(timed(
                            "POST /api/auth/login",
                            () -> chute.client()
                                    .post("/api/auth/login", Map.of("username", "nobody", "password", "secret"))));
                    Multipart form = Multipart.file("file", "during.jpg", "image/jpeg", photo);
                    answers.add(timed(
                            "POST /api/upload", () -> alice.postRaw("/api/upload", form.contentType(), form.body())));
                }
                assertThat(answers)
                        .as("status of each answer during the outage")
                        .allMatch(a -> a.endsWith(" 503"));

                relay.restore();
                Map<String, Object> job = await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500))
                        .ignoreExceptions()
                        .until(
                                () -> TestUploads.acceptedJob(alice, photo),
                                accepted -> accepted.get("statusUrl") != null);
                assertThat(TestUploads.completedJob(alice, job)).containsEntry("status", "COMPLETED");
            }
            List<String> lines = Files.readAllLines(log);
            assertThat(lines).as("ERROR lines in " + log).noneMatch(l -> l.contains(" ERROR "));
            assertThat(lines.stream()
                            .filter(l -> l.contains(" WARN ")
                                    && !l.contains("SpringDocAppInitializer")
                                    && !l.contains("ClamAvStartupReport")))
                    .as("WARN lines of the outage in " + log)
                    .singleElement()
                    .asString()
                    .contains("PostgreSQL is unreachable");
        }
    }

    /** Sends a request and asserts it was answered fast: a success, or 503 problem+json with Retry-After. */
    private static String timed(String what, Supplier<TestClient.Response> request) {
        long start = System.nanoTime();
        TestClient.Response response = request.get();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).as(what + " answered in").isLessThan(FAST);
        assertThat(response.status()).as(what + ": " + response.body()).isIn(200, 201, 202, 503);
        if (response.status() == 503) {
            assertThat(response.header("Retry-After")).as(what + " Retry-After").isNotBlank();
            assertThat(response.contentType()).as(what).startsWith("application/problem+json");
        }
        return what + " " + response.status();
    }
}
