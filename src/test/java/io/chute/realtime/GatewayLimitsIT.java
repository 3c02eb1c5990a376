package io.chute.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.support.ChuteIT;
import io.chute.support.TestClient;
import io.chute.support.TestSocket;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Limits of one gateway node, with small settings: a client that stops reading is disconnected
 * once its bounded send queue fills while the others carry on; a socket closes when its token expires.
 */
@ChuteIT({
    "chute.roles=api,gateway",
    "chute.realtime.send-queue=8",
    "chute.realtime.send-timeout=2s",
    "chute.auth.token-ttl=8s"
})
class GatewayLimitsIT {

    @LocalServerPort
    int port;

    private TestClient newUser() {
        return new TestClient(java.net.URI.create("http://localhost:" + port)).registerNewUser();
    }

    @Autowired
    Events events;

    @Autowired
    MeterRegistry meters;

    @Test
    void aClientThatStopsReadingIsDroppedWithoutHoldingUpOthers() throws Exception {
        TestClient slow = newUser();
        TestClient fast = newUser();
        UUID slowId = UUID.fromString((String) slow.get("/api/me").json().get("id"));
        UUID fastId = UUID.fromString((String) fast.get("/api/me").json().get("id"));
        double droppedBefore = meters.counter("chute.gateway.send.dropped").count();

        try (Socket raw = new Socket("localhost", port);
                TestSocket healthy =
                        TestSocket.connect(java.net.URI.create("http://localhost:" + port), fast.token(), null)) {
            upgradeAndStopReading(raw, slow.token());
            String big = "x".repeat(60_000);
            for (int i = 0; i < 400; i++) {
                events.signal(Route.user(slowId), "test.flood", Map.of("i", i, "pad", big), null);
            }
            events.signal(Route.user(fastId), "test.note", Map.of("ok", true), null);

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> meters.counter("chute.gateway.send.dropped").count() > droppedBefore);
            healthy.awaitFrame(f -> "test.note".equals(f.get("type")));
        }
    }

    @Test
    void closesTheSocketWith4401WhenItsTokenExpires() {
        TestClient alice = newUser();
        long start = System.nanoTime();
        try (TestSocket socket =
                TestSocket.connect(java.net.URI.create("http://localhost:" + port), alice.token(), null)) {
            assertThat(socket.awaitClose(Duration.ofSeconds(30))).isEqualTo(4401);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("not before the token expired")
                    .isGreaterThan(Duration.ofSeconds(5));
        }
    }

    /** Does the WebSocket handshake by hand, then never reads again. */
    private static void upgradeAndStopReading(Socket raw, String token) throws Exception {
        String key = Base64.getEncoder()
                .encodeToString(UUID.randomUUID().toString().substring(0, 16).getBytes(StandardCharsets.US_ASCII));
        raw.setReceiveBufferSize(4096);
        OutputStream out = raw.getOutputStream();
        out.write(("GET /ws?access_token=" + token + " HTTP/1.1\r\nHost: localhost:" + raw.getPort()
                        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
                        + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = raw.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("handshake answer").isNotNegative();
            head.append((char) b);
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 101");
    }
}
