package io.chute.realtime;

import static io.chute.realtime.GatewayIT.isJob;
import static io.chute.realtime.GatewayIT.seqs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.ChuteApplication;
import io.chute.support.ChuteProcess;
import io.chute.support.TestBroker;
import io.chute.support.TestClient;
import io.chute.support.TestDatabase;
import io.chute.support.TestSocket;
import io.chute.support.TestUploads;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two gateway nodes on the machine's RabbitMQ and PostgreSQL: node A runs the worker, node B
 * only the API and the gateway. Events cross nodes through {@code chute.outgoing} and the
 * per-node queues, routed by the bindings alone.
 */
class GatewayScaleOutIT {

    private static final String RK = RabbitEventBus.OUTGOING;
    // why: each look at the bindings runs rabbitmqctl, a whole Erlang VM, which takes seconds on a loaded machine
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static TestDatabase database;
    private static TestBroker broker;
    private static Path dataDir;
    private static ConfigurableApplicationContext nodeA;
    private static ConfigurableApplicationContext nodeB;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        database = TestDatabase.create();
        broker = TestBroker.create();
        dataDir = Files.createTempDirectory("chute-scale-");
        nodeA = start("node-a", "api,gateway,worker");
        nodeB = start("node-b", "api,gateway");
    }

    @AfterAll
    static void stop() {
        if (nodeB != null) {
            nodeB.close();
        }
        if (nodeA != null) {
            nodeA.close();
        }
        broker.close();
        database.close();
    }

    static Map<String, Object> sharedProperties() {
        Map<String, Object> p = new HashMap<>();
        p.put("spring.datasource.url", database.jdbcUrl());
        p.put("spring.datasource.username", database.user());
        p.put("spring.rabbitmq.host", "127.0.0.1");
        p.put("spring.rabbitmq.virtual-host", broker.vhost());
        p.put("chute.bus.type", "rabbitmq");
        // why: both nodes read and write the same filesystem objects and keys, as they would a shared S3 bucket
        p.put("chute.data-dir", dataDir.toString());
        p.put("chute.auth.token-secret", "a-shared-secret-of-at-least-thirty-two-bytes");
        p.put("chute.jobs.poll-interval", "500ms");
        return p;
    }

    private static ConfigurableApplicationContext start(String nodeId, String roles) {
        Map<String, Object> p = sharedProperties();
        p.put("server.port", "0");
        p.put("chute.roles", roles);
        p.put("chute.realtime.node-id", nodeId);
        return new SpringApplicationBuilder(ChuteApplication.class)
                .properties(p)
                .run();
    }

    private static URI base(ConfigurableApplicationContext node) {
        return URI.create("http://localhost:"
                + ((WebServerApplicationContext) node).getWebServer().getPort());
    }

    private static TestClient newUser(ConfigurableApplicationContext node) {
        return new TestClient(base(node)).registerNewUser();
    }

    private static UUID idOf(TestClient user) {
        return UUID.fromString((String) user.get("/api/me").json().get("id"));
    }

    private static List<String> bindingsOf(String node) {
        return broker.bindings(RK, "chute.gateway." + node);
    }

    @Test
    void aUserOnNodeBIsToldOfEveryChangeOfAJobThatRanOnNodeA() {
        TestClient alice = newUser(nodeA);
        try (TestSocket onB = TestSocket.connect(base(nodeB), alice.token(), null)) {
            Object jobId = TestUploads.acceptedJob(alice).get("jobId");
            onB.awaitFrame(f -> isJob(f, jobId, "COMPLETED"));
            assertThat(onB.frames("job.updated"))
                    .anyMatch(f -> isJob(f, jobId, "PROCESSING") || isJob(f, jobId, "PENDING"));
            assertThat(seqs(onB)).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void aUserWithSocketsOnBothNodesGetsEachEventOncePerSocket() {
        TestClient alice = newUser(nodeA);
        try (TestSocket onA = TestSocket.connect(base(nodeA), alice.token(), null);
                TestSocket onB = TestSocket.connect(base(nodeB), alice.token(), null);
                TestSocket secondOnB = TestSocket.connect(base(nodeB), alice.token(), null)) {
            int portA = ((WebServerApplicationContext) nodeA).getWebServer().getPort();
            Object first = TestUploads.acceptedJob(alice).get("jobId");
            Object second = TestUploads.acceptedJob(alice).get("jobId");
            for (TestSocket s : List.of(onA, onB, secondOnB)) {
                s.awaitFrame(f -> isJob(f, first, "COMPLETED"));
                s.awaitFrame(f -> isJob(f, second, "COMPLETED"));
            }
            // why: a late event could still be on its way to one socket; the other sockets' lists must converge to it
            await().atMost(PATIENCE).untilAsserted(() -> {
                assertThat(seqs(onA)).doesNotHaveDuplicates().isSorted();
                assertThat(seqs(onB)).isEqualTo(seqs(onA));
                assertThat(seqs(secondOnB)).isEqualTo(seqs(onA));
            });
        }
    }

    @Test
    void aUsersRouteIsBoundToANodeWhileTheyHaveASocketThere() {
        TestClient alice = newUser(nodeA);
        String route = "user." + idOf(alice);
        assertThat(bindingsOf("node-b")).doesNotContain(route);
        TestSocket first = TestSocket.connect(base(nodeB), alice.token(), null);
        TestSocket second = TestSocket.connect(base(nodeB), alice.token(), null);
        assertThat(bindingsOf("node-b")).containsOnlyOnce(route);
        assertThat(bindingsOf("node-a")).doesNotContain(route);

        first.close();
        await().during(Duration.ofMillis(300))
                .atMost(PATIENCE)
                .until(() -> bindingsOf("node-b").contains(route));
        second.abort();
        await().atMost(PATIENCE).until(() -> !bindingsOf("node-b").contains(route));
    }

    @Test
    void channelRoutesAreBoundWhileAnyFollowerIsConnectedAndDeliverToFollowersOnly() {
        TestClient alice = newUser(nodeA);
        TestClient bob = newUser(nodeA);
        TestClient carol = newUser(nodeA);
        UUID channel = UUID.randomUUID();
        String route = "channel." + channel;
        Events events = nodeA.getBean(Events.class);
        try (TestSocket alices = TestSocket.connect(base(nodeB), alice.token(), null);
                TestSocket bobs = TestSocket.connect(base(nodeB), bob.token(), null);
                TestSocket carols = TestSocket.connect(base(nodeA), carol.token(), null)) {
            events.join(idOf(alice), channel);
            await().atMost(PATIENCE).until(() -> bindingsOf("node-b").contains(route));
            events.join(idOf(bob), channel);
            events.join(idOf(carol), channel);
            await().atMost(PATIENCE).until(() -> bindingsOf("node-a").contains(route));
            assertThat(bindingsOf("node-b")).containsOnlyOnce(route);

            events.publish(Route.channel(channel), "test.note", Map.of("n", 1));
            for (TestSocket s : List.of(alices, bobs, carols)) {
                s.awaitFrame(f -> "test.note".equals(f.get("type")));
            }

            events.leave(idOf(alice), channel);
            // why: bob still follows the channel on node B, so its binding stays
            await().during(Duration.ofMillis(300))
                    .atMost(PATIENCE)
                    .until(() -> bindingsOf("node-b").contains(route));
            events.publish(Route.channel(channel), "test.note", Map.of("n", 2));
            bobs.awaitFrame(
                    f -> "test.note".equals(f.get("type")) && Map.of("n", 2).equals(f.get("data")));
            carols.awaitFrame(
                    f -> "test.note".equals(f.get("type")) && Map.of("n", 2).equals(f.get("data")));
            alices.send(Map.of("type", "ping", "id", "sync"));
            alices.awaitFrame(f -> "pong".equals(f.get("type")));
            assertThat(alices.frames("test.note")).hasSize(1);

            events.leave(idOf(bob), channel);
            await().atMost(PATIENCE).until(() -> !bindingsOf("node-b").contains(route));
            assertThat(bindingsOf("node-a")).contains(route);
        }
        await().atMost(PATIENCE).until(() -> !bindingsOf("node-a").contains(route));
    }

    @Test
    void aClientThatMissedEventsOnOneNodeCatchesUpOnTheOther() {
        TestClient alice = newUser(nodeA);
        long since;
        try (TestSocket onA = TestSocket.connect(base(nodeA), alice.token(), null)) {
            since = ((Number) GatewayIT.data(onA.frames("ready").getFirst()).get("latestSeq")).longValue();
        }
        Map<String, Object> accepted = TestUploads.acceptedJob(alice);
        Object jobId = accepted.get("jobId");
        TestUploads.completedJob(alice, accepted);
        await().atMost(PATIENCE).untilAsserted(() -> {
            try (TestSocket onB = TestSocket.connect(base(nodeB), alice.token(), since)) {
                assertThat(onB.frames("job.updated").stream().filter(f -> isJob(f, jobId, "COMPLETED")))
                        .hasSize(1);
                assertThat(seqs(onB)).isSorted().doesNotHaveDuplicates();
            }
        });
    }

    @Test
    void aKilledNodesQueueAndBindingsVanishWithIt() throws Exception {
        Path dir = Files.createTempDirectory("chute-node-c-");
        List<String> args = new java.util.ArrayList<>();
        sharedProperties().forEach((k, v) -> args.add("--" + k + "=" + v));
        args.add("--chute.roles=api,gateway");
        args.add("--chute.realtime.node-id=node-c");
        try (ChuteProcess nodeC = ChuteProcess.start(dir.resolve("node-c.log"), args.toArray(String[]::new))) {
            TestClient alice = newUser(nodeA);
            TestSocket onC = TestSocket.connect(nodeC.base(), alice.token(), null);
            assertThat(bindingsOf("node-c")).contains("user." + idOf(alice));

            nodeC.kill();

            await().atMost(PATIENCE).until(() -> bindingsOf("node-c").isEmpty());
            assertThat(broker.listQueues("name")).noneMatch(q -> "chute.gateway.node-c".equals(q.get("name")));
            onC.abort();
        }
    }
}
