package io.chute.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.support.ChuteIT;
import io.chute.support.ChuteProcess;
import io.chute.support.Images;
import io.chute.support.Multipart;
import io.chute.support.TestBroker;
import io.chute.support.TestClient;
import io.chute.support.TestDatabase;
import io.chute.support.TestUploads;
import io.chute.support.ZipkinCollector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One trace per upload, from the request that queued it to the worker's processing steps and the
 * job.updated publish, as a Zipkin server receives it: through the PostgreSQL queue in one
 * process, and through the outbox and RabbitMQ with the api and worker roles in two processes.
 */
@ChuteIT
@DirtiesContext // why: this context reports to a collector that stops with this class
class TracingIT {

    static final ZipkinCollector ZIPKIN = ZipkinCollector.start();

    @LocalServerPort
    int port;

    @TempDir
    Path dir;

    @DynamicPropertySource
    static void tracingToTheTestCollector(DynamicPropertyRegistry registry) throws IOException {
        Path data = Files.createTempDirectory("chute-tracing-");
        registry.add("chute.data-dir", data::toString);
        registry.add("chute.jobs.poll-interval", () -> "500ms");
        tracing(ZIPKIN).forEach(a -> {
            String[] kv = a.substring(2).split("=", 2);
            registry.add(kv[0], () -> kv[1]);
        });
    }

    /** The standard Spring Boot properties that send every span to {@code zipkin}, quickly. */
    static List<String> tracing(ZipkinCollector zipkin) {
        return List.of(
                "--management.tracing.export.zipkin.enabled=true",
                "--management.tracing.export.zipkin.endpoint=" + zipkin.endpoint(),
                "--management.tracing.sampling.probability=1.0",
                "--management.opentelemetry.tracing.export.schedule-delay=100ms");
    }

    @AfterAll
    static void stopCollector() {
        ZIPKIN.close();
    }

    @Test
    void aSignedUploadIsOneTraceFromCompleteThroughThePostgresQueueToProcessingAndTheJobUpdatedPublish() {
        TestClient alice = new TestClient(java.net.URI.create("http://localhost:" + port)).registerNewUser();

        TestUploads.completedJob(alice, TestUploads.acceptedJob(alice, Images.jpeg(dir, 320, 240)));

        assertOneTraceFrom(ZIPKIN, "/complete");
    }

    @Test
    void aDirectUploadIsOneTraceThroughTheOutboxAndRabbitMqWithApiAndWorkerInTwoProcesses() throws Exception {
        try (ZipkinCollector zipkin = ZipkinCollector.start();
                TestDatabase database = TestDatabase.create();
                TestBroker broker = TestBroker.create()) {
            List<String> shared = new ArrayList<>(List.of(
                    "--spring.datasource.url=" + database.jdbcUrl(),
                    "--spring.datasource.username=" + database.user(),
                    "--chute.queue.type=rabbitmq",
                    "--chute.bus.type=rabbitmq",
                    "--spring.rabbitmq.host=127.0.0.1",
                    "--spring.rabbitmq.virtual-host=" + broker.vhost(),
                    // why: both nodes read and write the same objects on this machine's disk
                    "--chute.data-dir=" + dir.resolve("shared"),
                    "--chute.storage.signing-secret=a-shared-signing-secret-of-32-bytes-at-least",
                    "--chute.auth.token-secret=a-shared-secret-of-at-least-thirty-two-bytes"));
            shared.addAll(tracing(zipkin));
            try (ChuteProcess api =
                            ChuteProcess.start(dir.resolve("api.log"), args(shared, "--chute.roles=api,gateway"));
                    ChuteProcess worker =
                            ChuteProcess.start(dir.resolve("worker.log"), args(shared, "--chute.roles=worker"))) {
                TestClient bob = api.client().registerNewUser();
                Multipart form = Multipart.file("file", "photo.jpg", "image/jpeg", Images.jpeg(dir, 320, 240));
                TestClient.Response accepted = bob.postRaw("/api/upload", form.contentType(), form.body());
                assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
                TestUploads.completedJob(bob, accepted.json());

                List<ZipkinCollector.Span> trace = assertOneTraceFrom(zipkin, "/api/upload");
                assertThat(trace)
                        .extracting(ZipkinCollector.Span::name)
                        .as("the relay's publish to RabbitMQ")
                        .contains("job publish image");
                ZipkinCollector.Span publish = named(trace, "job publish image");
                assertThat(named(trace, "job image").parentId())
                        .as("the worker continues the message's traceparent")
                        .isEqualTo(publish.id());

                String carol = (String)
                        api.client().registerNewUser().get("/api/me").json().get("id");
                String channel =
                        (String) bob.post("/api/channels", Map.of("name", "Traced", "memberIds", List.of(carol)))
                                .json()
                                .get("id");
                assertThat(bob.post(
                                        "/api/channels/" + channel + "/messages",
                                        Map.of("content", "hi", "clientMessageId", "t-1"))
                                .status())
                        .isBetween(200, 202);
                List<ZipkinCollector.Span> chat = await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200))
                        .until(
                                () -> traceOf(zipkin, "http post /api/channels/{id}/messages"),
                                t -> t.stream().anyMatch(s -> s.name().equals("message.send store")));
                assertThat(named(chat, "message.send store").parentId())
                        .as("the worker's insert continues message.send")
                        .isEqualTo(named(chat, "message.send").id());
            }
        }
    }

    /**
     * The trace of the request whose span name contains {@code request}: it holds the worker's
     * job span, a processing step under it, and a job.updated publish.
     */
    private static List<ZipkinCollector.Span> assertOneTraceFrom(ZipkinCollector zipkin, String request) {
        return await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> traceOf(zipkin, request), trace -> {
                    List<String> names =
                            trace.stream().map(ZipkinCollector.Span::name).toList();
                    if (!names.contains("job image")
                            || !names.contains("job.updated publish")
                            || names.stream().noneMatch(n -> n.startsWith("process "))) {
                        return false;
                    }
                    ZipkinCollector.Span job = named(trace, "job image");
                    assertThat(trace)
                            .filteredOn(s -> s.name().startsWith("process "))
                            .as("processing steps run in the job's span")
                            .allMatch(s -> job.id().equals(s.parentId()));
                    return true;
                });
    }

    /** The spans of the trace of the first request span whose name ends with {@code request}. */
    private static List<ZipkinCollector.Span> traceOf(ZipkinCollector zipkin, String request) {
        return zipkin.spans().stream()
                .filter(s -> s.name().startsWith("http post") && s.name().endsWith(request))
                .map(ZipkinCollector.Span::traceId)
                .findFirst()
                .map(zipkin::trace)
                .orElse(List.of());
    }

    private static ZipkinCollector.Span named(List<ZipkinCollector.Span> trace, String name) {
        return trace.stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no span " + name + " in " + trace));
    }

    private static String[] args(List<String> shared, String... more) {
        List<String> all = new ArrayList<>(shared);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
