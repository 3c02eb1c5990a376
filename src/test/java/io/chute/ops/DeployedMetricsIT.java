package io.chute.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.support.ChuteIT;
import io.chute.support.Images;
import io.chute.support.PrometheusServer;
import io.chute.support.TestClient;
import io.chute.support.TestUploads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * deploy/ against a running Chute: every metric that the alert rules, the dashboard and the
 * autoscaler read is exported, and a real Prometheus loading deploy/prometheus/alerts.yml scrapes
 * Chute and fires ChuteClamdDown while clamd is unreachable (scanning on, pointed at a closed port).
 */
@ChuteIT
@DirtiesContext // why: this context scans with a clamd that is never there
class DeployedMetricsIT {

    static PrometheusServer prometheus;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void scanningWithClamdDown(DynamicPropertyRegistry registry) throws IOException {
        Path data = Files.createTempDirectory("chute-deployed-metrics-");
        registry.add("chute.data-dir", data::toString);
        registry.add("chute.jobs.backoff-base", () -> "200ms");
        registry.add("chute.jobs.poll-interval", () -> "500ms");
        registry.add("chute.clamav.enabled", () -> "true");
        registry.add("chute.clamav.host", () -> "127.0.0.1");
        registry.add("chute.clamav.port", DeployedMetricsIT::closedPort);
    }

    @BeforeAll
    static void anUploadThatWaitsForClamd(@Value("${local.server.port}") int port) throws IOException {
        TestClient alice = new TestClient(URI.create("http://localhost:" + port)).registerNewUser();
        TestUploads.acceptedJob(alice, Images.jpeg(Files.createTempDirectory("chute-deployed-"), 320, 240));
    }

    @AfterAll
    static void stopPrometheus() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    @Test
    void everyMetricThatDeployReadsIsExportedByARunningChute() {
        Set<String> named = DeployedQueries.metrics();
        assertThat(named).contains("file_processing_duration_seconds_bucket", "jobs_queue_depth", "clamav_up");

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Scrape metrics =
                    Scrape.of(new TestClient(base()).get("/actuator/prometheus").body());
            assertThat(named)
                    .allSatisfy(name -> assertThat(metrics.exports(name))
                            .as(name + " on /actuator/prometheus")
                            .isTrue());
        });
    }

    @Test
    void aRealPrometheusScrapesChuteAndFiresClamdDown() {
        prometheus = PrometheusServer.start(
                base().resolve("/actuator/prometheus"), DeployedQueries.DEPLOY.resolve("prometheus/alerts.yml"));

        await("Prometheus scraping Chute")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(prometheus.targets()).containsExactly("up "));
        await("ChuteClamdDown firing (log: " + prometheus.log() + ")")
                .atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> "firing".equals(prometheus.alerts().get("ChuteClamdDown")));

        assertThat(prometheus
                        .query("min(clamav_up)")
                        .get("result")
                        .get(0)
                        .get("value")
                        .get(1)
                        .asString())
                .isEqualTo("0");
        assertThat(prometheus
                        .query("sum(file_uploads_total)")
                        .get("result")
                        .get(0)
                        .get("value")
                        .get(1)
                        .asString())
                .isEqualTo("1");
        for (JsonNode group : prometheus.rules().get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                assertThat(rule.get("health").asString())
                        .as(rule.get("name").asString() + ": "
                                + rule.path("lastError").asString())
                        .isEqualTo("ok");
            }
        }
        // the upload's job ran out of attempts while clamd was down: the dead-letter rule sees it too (pending for 5m)
        await().atMost(Duration.ofSeconds(30))
                .until(() -> prometheus.alerts().containsKey("ChuteDeadLetterQueueNotEmpty"));
    }

    private URI base() {
        return URI.create("http://localhost:" + port);
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
