package io.chute.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real Prometheus server (Debian's {@code prometheus} package) of a test's own: a free port, a
 * temporary config and data dir, scraping the given targets and evaluating the given rule files
 * every second. Its log goes next to its data.
 */
public final class PrometheusServer implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final Process process;
    private final URI base;
    private final Path dir;
    private final HttpClient http = HttpClient.newHttpClient();

    private PrometheusServer(Process process, URI base, Path dir) {
        this.process = process;
        this.base = base;
        this.dir = dir;
    }

    /** Starts Prometheus scraping {@code metricsUrl} and evaluating {@code ruleFile}, and waits until it is ready. */
    public static PrometheusServer start(URI metricsUrl, Path ruleFile) {
        try {
            Path dir = Files.createTempDirectory("chute-prometheus-");
            Files.writeString(dir.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    rule_files:
                      - %s
                    scrape_configs:
                      - job_name: chute
                        metrics_path: %s
                        static_configs:
                          - targets: ["%s:%d"]
                    """.formatted(
                    ruleFile.toAbsolutePath(), metricsUrl.getPath(), metricsUrl.getHost(), metricsUrl.getPort()));
            int port = freePort();
            Process process = new ProcessBuilder(List.of(
                            binary(),
                            "--config.file=" + dir.resolve("prometheus.yml"),
                            "--storage.tsdb.path=" + dir.resolve("data"),
                            "--web.listen-address=127.0.0.1:" + port))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("prometheus.log").toFile())
                    .start();
            PrometheusServer server = new PrometheusServer(process, URI.create("http://127.0.0.1:" + port), dir);
            Awaitility.await("Prometheus on port " + port + " (log: " + dir.resolve("prometheus.log") + ")")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions()
                    .failFast("Prometheus exited; see " + dir.resolve("prometheus.log"), () -> !process.isAlive())
                    .until(() -> server.get("/-/ready").statusCode() == 200);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code data} of {@code /api/v1/query} for an instant query. */
    public JsonNode query(String promql) {
        return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    /** Active alerts (pending or firing) as {@code alertname → state}. */
    public Map<String, String> alerts() {
        Map<String, String> states = new java.util.TreeMap<>();
        for (JsonNode alert : api("/api/v1/alerts").get("alerts")) {
            states.put(
                    alert.get("labels").get("alertname").asString(),
                    alert.get("state").asString());
        }
        return states;
    }

    /** Each scrape target's health and last scrape error, e.g. {@code up} and an empty string. */
    public List<String> targets() {
        List<String> targets = new java.util.ArrayList<>();
        for (JsonNode target : api("/api/v1/targets").get("activeTargets")) {
            targets.add(target.get("health").asString() + " "
                    + target.path("lastError").asString(""));
        }
        return targets;
    }

    /** {@code data} of {@code /api/v1/rules}. */
    public JsonNode rules() {
        return api("/api/v1/rules");
    }

    private JsonNode api(String path) {
        HttpResponse<String> answer = get(path);
        JsonNode body = JSON.readTree(answer.body());
        if (answer.statusCode() != 200 || !"success".equals(body.get("status").asString())) {
            throw new IllegalStateException("Prometheus answered " + answer.statusCode() + ": " + answer.body());
        }
        return body.get("data");
    }

    private HttpResponse<String> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Path log() {
        return dir.resolve("prometheus.log");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String binary() {
        for (String candidate : List.of("/usr/bin/prometheus", "/usr/local/bin/prometheus")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new IllegalStateException("Prometheus is not installed: apt-get install prometheus (.ci/run does)");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
