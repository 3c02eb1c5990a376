package io.chute.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.support.EmbeddedChuteIT;
import io.chute.support.TestClient;
import io.chute.support.TestSocket;
import io.chute.support.TestUploads;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code /ws} protocol on one node (the local bus), spoken by the JDK's WebSocket client. */
class GatewayIT extends EmbeddedChuteIT {

    private URI base() {
        return URI.create("http://localhost:" + port);
    }

    @Test
    void pushesEveryStatusOfTheUsersJobUntilCompleted() {
        TestClient alice = newUser();
        try (TestSocket socket = TestSocket.connect(base(), alice.token(), null)) {
            Map<String, Object> accepted = TestUploads.acceptedJob(alice);
            Object jobId = accepted.get("jobId");

            Map<String, Object> done = socket.awaitFrame(f -> isJob(f, jobId, "COMPLETED"));
            @SuppressWarnings("unchecked")
            Map<String, Object> job = (Map<String, Object>) done.get("data");
            assertThat(job).containsEntry("progress", 100).containsKey("outputs");
            assertThat(((Map<?, ?>) job.get("outputs")).keySet())
                    .map(Object::toString)
                    .contains("thumbnail", "medium");
            assertThat(((Number) done.get("seq")).longValue()).isPositive();
            List<Long> seqs = socket.frames("job.updated").stream()
                    .map(f -> ((Number) f.get("seq")).longValue())
                    .toList();
            assertThat(seqs).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void anotherUsersSocketGetsNoneOfIt() {
        TestClient alice = newUser();
        TestClient bob = newUser();
        try (TestSocket bobs = TestSocket.connect(base(), bob.token(), null);
                TestSocket alices = TestSocket.connect(base(), alice.token(), null)) {
            Object jobId = TestUploads.acceptedJob(alice).get("jobId");
            alices.awaitFrame(f -> isJob(f, jobId, "COMPLETED"));
            bobs.send(Map.of("type", "ping", "id", "after"));
            bobs.awaitFrame(f -> "pong".equals(f.get("type")));
            assertThat(bobs.frames("job.updated")).isEmpty();
        }
    }

    @Test
    void everySocketOfOneUserGetsEachEventOnce() {
        TestClient alice = newUser();
        try (TestSocket tab1 = TestSocket.connect(base(), alice.token(), null);
                TestSocket tab2 = TestSocket.connect(base(), alice.token(), null)) {
            Object jobId = TestUploads.acceptedJob(alice).get("jobId");
            tab1.awaitFrame(f -> isJob(f, jobId, "COMPLETED"));
            tab2.awaitFrame(f -> isJob(f, jobId, "COMPLETED"));
            assertThat(seqs(tab1)).doesNotHaveDuplicates().isEqualTo(seqs(tab2));
        }
    }

    @Test
    void authenticatesWithAFirstAuthFrame() {
        TestClient alice = newUser();
        try (TestSocket socket = TestSocket.open(base(), null)) {
            socket.send(Map.of("type", "auth", "id", "a1", "token", alice.token()));
            socket.awaitFrame(f -> "ack".equals(f.get("type")) && "a1".equals(f.get("id")));
            Map<String, Object> ready = socket.awaitFrame(f -> "ready".equals(f.get("type")));
            assertThat(data(ready))
                    .containsEntry("userId", alice.get("/api/me").json().get("id"));
        }
    }

    @Test
    void closesWith4401ForABadToken() {
        TestClient alice = newUser();
        try (TestSocket socket = TestSocket.open(base(), "access_token=" + alice.token() + "x")) {
            assertThat(socket.awaitClose(Duration.ofSeconds(10))).isEqualTo(4401);
        }
        try (TestSocket socket = TestSocket.open(base(), null)) {
            socket.send(Map.of("type", "auth", "token", "not-a-token"));
            assertThat(socket.awaitClose(Duration.ofSeconds(10))).isEqualTo(4401);
        }
        try (TestSocket socket = TestSocket.open(base(), null)) {
            socket.send(Map.of("type", "ping"));
            assertThat(socket.awaitClose(Duration.ofSeconds(10)))
                    .as("a frame before auth")
                    .isEqualTo(4401);
        }
    }

    @Test
    void closesWith4401WhenNoAuthFrameArrivesInTime() {
        try (TestSocket socket = TestSocket.open(base(), null)) {
            assertThat(socket.awaitClose(Duration.ofSeconds(15))).isEqualTo(4401);
        }
    }

    @Test
    void answersPingsAndReportsBadFramesWithoutClosing() {
        TestClient alice = newUser();
        try (TestSocket socket = TestSocket.connect(base(), alice.token(), null)) {
            socket.send(Map.of("type", "ping", "id", "p1"));
            socket.awaitFrame(f -> "pong".equals(f.get("type")) && "p1".equals(f.get("id")));

            socket.send(Map.of("type", "no.such.frame", "id", "u1", "data", Map.of()));
            Map<String, Object> unknown =
                    socket.awaitFrame(f -> "error".equals(f.get("type")) && "u1".equals(f.get("id")));
            assertThat(data(unknown)).containsEntry("status", 400);

            socket.sendText("{not json");
            Map<String, Object> malformed =
                    socket.awaitFrame(f -> "error".equals(f.get("type")) && f.get("id") == null);
            assertThat(data(malformed)).containsEntry("status", 400);

            socket.send(Map.of("type", "ping", "id", "p2"));
            socket.awaitFrame(f -> "pong".equals(f.get("type")) && "p2".equals(f.get("id")));

            // larger than the container's 4K-character buffer: it arrives in pieces and is put together
            socket.send(Map.of("type", "ping", "id", "big", "data", "é".repeat(30_000)));
            socket.awaitFrame(f -> "pong".equals(f.get("type")) && "big".equals(f.get("id")));
            assertThat(socket.isClosed()).isFalse();
        }
    }

    @Test
    void closesAConnectionThatSendsAFrameOverTheSizeLimit() {
        TestClient alice = newUser();
        try (TestSocket socket = TestSocket.connect(base(), alice.token(), null)) {
            socket.sendText("{\"type\":\"ping\",\"data\":\"" + "x".repeat(70_000) + "\"}");
            assertThat(socket.awaitClose(Duration.ofSeconds(10))).isEqualTo(1009);
        }
    }

    @Test
    void replaysWhatWasMissedInOrderOnceThenGoesLive() {
        TestClient alice = newUser();
        long since;
        try (TestSocket first = TestSocket.connect(base(), alice.token(), null)) {
            since = ((Number) ((Map<?, ?>) first.frames("ready").getFirst().get("data")).get("latestSeq")).longValue();
        }
        Map<String, Object> accepted = TestUploads.acceptedJob(alice);
        Object missedJob = accepted.get("jobId");
        TestUploads.completedJob(alice, accepted);
        // why: job.updated is published a few milliseconds after the change; wait until the log holds COMPLETED
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (TestSocket probe = TestSocket.connect(base(), alice.token(), since)) {
                return probe.frames().stream().anyMatch(f -> isJob(f, missedJob, "COMPLETED"));
            }
        });

        try (TestSocket back = TestSocket.connect(base(), alice.token(), since)) {
            List<Map<String, Object>> replayed = back.frames("job.updated");
            assertThat(replayed).isNotEmpty();
            assertThat(replayed.getLast()).matches(f -> isJob(f, missedJob, "COMPLETED"));
            assertThat(seqs(back)).isSorted().doesNotHaveDuplicates().allMatch(s -> s > since);
            assertThat(replayed.stream().filter(f -> isJob(f, missedJob, "COMPLETED")))
                    .hasSize(1);
            Map<?, ?> ready = (Map<?, ?>) back.frames("ready").getFirst().get("data");
            assertThat(ready.get("replayed")).isEqualTo(replayed.size());
            assertThat(ready.get("complete")).isEqualTo(true);

            Object liveJob = TestUploads.acceptedJob(alice).get("jobId");
            back.awaitFrame(f -> isJob(f, liveJob, "COMPLETED"));
            assertThat(seqs(back)).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void refusesABrowserFromAnotherOrigin() {
        TestClient alice = newUser();
        URI ws = URI.create("ws://localhost:" + port + "/ws?access_token=" + alice.token());
        var attempt = java.net.http.HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .header("Origin", "https://evil.example")
                .buildAsync(ws, new java.net.http.WebSocket.Listener() {});
        assertThat(attempt)
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableThat()
                .havingRootCause()
                .withMessageContaining("403");
        var sameOrigin = java.net.http.HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .header("Origin", "http://localhost:" + port)
                .buildAsync(ws, new java.net.http.WebSocket.Listener() {});
        assertThat(sameOrigin).succeedsWithin(Duration.ofSeconds(10)).satisfies(w -> w.abort());
    }

    @Test
    void refusesANegativeOrMalformedSince() {
        TestClient alice = newUser();
        try (TestSocket socket = TestSocket.open(base(), "access_token=" + alice.token() + "&since=abc")) {
            assertThat(socket.awaitClose(Duration.ofSeconds(10))).isEqualTo(4400);
        }
    }

    @Test
    void exposesGatewayMetrics() {
        TestClient alice = newUser();
        try (TestSocket socket = TestSocket.connect(base(), alice.token(), null)) {
            String metrics = anonymous().get("/actuator/prometheus").body();
            assertThat(metrics)
                    .contains(
                            "chute_gateway_connections",
                            "chute_gateway_events_out_total",
                            "chute_gateway_send_dropped_total");
        }
    }

    static boolean isJob(Map<String, Object> frame, Object jobId, String status) {
        if (!"job.updated".equals(frame.get("type"))) {
            return false;
        }
        Map<?, ?> job = (Map<?, ?>) frame.get("data");
        return jobId.equals(job.get("jobId")) && status.equals(job.get("status"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> data(Map<String, Object> frame) {
        return (Map<String, Object>) frame.get("data");
    }

    static List<Long> seqs(TestSocket socket) {
        return socket.frames("job.updated").stream()
                .map(f -> ((Number) f.get("seq")).longValue())
                .toList();
    }
}
