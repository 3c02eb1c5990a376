package io.chute.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.support.ChuteProcess;
import io.chute.support.Images;
import io.chute.support.TestBroker;
import io.chute.support.TestClient;
import io.chute.support.TestDatabase;
import io.chute.support.TestSocket;
import io.chute.support.TestUploads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Chat across two gateway nodes, as separate processes on the machine's PostgreSQL and RabbitMQ
 * (event bus and job queue), each with every role. Users talk to the node their socket is on;
 * nothing is shared but the database, the broker and the object directory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("unchecked")
class ChatScaleOutIT {

    private Path dir;
    private TestDatabase database;
    private TestBroker broker;
    private ChuteProcess nodeA;
    private ChuteProcess nodeB;

    @BeforeAll
    void startTwoNodes() throws Exception {
        dir = Files.createTempDirectory("chute-chat-scale-");
        database = TestDatabase.create();
        broker = TestBroker.create();
        nodeA = ChuteProcess.start(dir.resolve("a.log"), args("a"));
        nodeB = ChuteProcess.start(dir.resolve("b.log"), args("b"));
    }

    private String[] args(String node) {
        return nodeArgs(
                database,
                broker,
                dir.resolve("data"),
                "node-" + node,
                "--chute.realtime.frames-per-second=2000",
                "--chute.chat.presence-grace=1s",
                "--chute.chat.presence-heartbeat=1s");
    }

    /**
     * One of several Chute nodes sharing a database, a broker (event bus and job queue) and an
     * object directory, with every role.
     */
    static String[] nodeArgs(TestDatabase database, TestBroker broker, Path dataDir, String nodeId, String... more) {
        return Stream.concat(
                        Stream.of(
                                "--spring.datasource.url=" + database.jdbcUrl(),
                                "--spring.datasource.username=" + database.user(),
                                "--chute.queue.type=rabbitmq",
                                "--chute.bus.type=rabbitmq",
                                "--spring.rabbitmq.host=127.0.0.1",
                                "--spring.rabbitmq.virtual-host=" + broker.vhost(),
                                "--chute.data-dir=" + dataDir,
                                "--chute.auth.token-secret=a-shared-secret-of-at-least-thirty-two-bytes",
                                "--chute.storage.signing-secret=another-shared-secret-of-at-least-32-bytes",
                                "--chute.realtime.node-id=" + nodeId),
                        Stream.of(more))
                .toArray(String[]::new);
    }

    @AfterAll
    void stop() {
        Stream.of(nodeA, nodeB).filter(java.util.Objects::nonNull).forEach(ChuteProcess::close);
        if (broker != null) {
            broker.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void aGroupOfThreeAcrossTwoNodesGetsEveryMessageOnceInEachSendersOrder() {
        TestClient alice = nodeA.client().registerNewUser();
        TestClient bob = nodeB.client().registerNewUser();
        TestClient carol = nodeA.client().registerNewUser();
        try (TestSocket a = connect(alice);
                TestSocket b = connect(bob);
                TestSocket c = connect(carol)) {
            String channel = groupSeenBy(alice, "Three", List.of(bob, carol), a, b, c);
            int each = 30;
            for (int i = 0; i < each; i++) {
                send(a, channel, "a-" + i);
                send(b, channel, "b-" + i);
                assertThat(carol.post(
                                        "/api/channels/" + channel + "/messages",
                                        Map.of("content", "c" + i, "clientMessageId", "c-" + i))
                                .status())
                        .isEqualTo(202);
            }
            for (TestSocket s : List.of(a, b, c)) {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> created(s, channel).size() >= 3 * each);
            }
            for (TestSocket s : List.of(a, b, c)) {
                List<Map<String, Object>> got = created(s, channel);
                assertThat(got).hasSize(3 * each);
                assertThat(got.stream().map(m -> m.get("id"))).doesNotHaveDuplicates();
                for (String sender : List.of("a-", "b-", "c-")) {
                    List<String> order = got.stream()
                            .map(m -> (String) m.get("clientMessageId"))
                            .filter(id -> id.startsWith(sender))
                            .toList();
                    assertThat(order)
                            .as("order of %s", sender)
                            .containsExactlyElementsOf(java.util.stream.IntStream.range(0, each)
                                    .mapToObj(i -> sender + i)
                                    .toList());
                }
                assertThat(got.stream()
                                .map(m -> ((Number) m.get("seq")).longValue())
                                .toList())
                        .isSorted();
            }
        }
    }

    @Test
    void aDuplicateClientMessageIdMakesOneMessage() {
        TestClient alice = nodeA.client().registerNewUser();
        TestClient bob = nodeB.client().registerNewUser();
        try (TestSocket a = connect(alice);
                TestSocket b = connect(bob)) {
            String channel = direct(alice, bob);
            b.awaitFrame(f -> "channel.updated".equals(f.get("type")));
            send(a, channel, "twice");
            send(a, channel, "twice");
            assertThat(bob.post(
                                    "/api/channels/" + channel + "/messages",
                                    Map.of("content", "x", "clientMessageId", "after"))
                            .status())
                    .isEqualTo(202);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> created(b, channel).stream().anyMatch(m -> "after".equals(m.get("clientMessageId"))));
            assertThat(created(b, channel).stream().filter(m -> "twice".equals(m.get("clientMessageId"))))
                    .hasSize(1);
            assertThat(ChatRestIT.items(alice.get("/api/channels/" + channel + "/messages")))
                    .hasSize(2);
        }
    }

    @Test
    void historyPagesOverAThousandMessagesYieldEachOnceWhileMoreArrive() {
        TestClient alice = nodeA.client().registerNewUser();
        TestClient bob = nodeB.client().registerNewUser();
        String channel = ChatRestIT.group(alice, "Busy", bob);
        try (TestSocket a = connect(alice)) {
            for (int i = 0; i < 1000; i++) {
                send(a, channel, "h-" + i);
            }
            await().atMost(Duration.ofSeconds(120))
                    .until(() -> created(a, channel).size() == 1000);
            List<Object> seen = new ArrayList<>();
            String cursor = null;
            int page = 0;
            do {
                Map<String, Object> body = bob.get("/api/channels/" + channel + "/messages?limit=100"
                                + (cursor == null ? "" : "&before=" + cursor))
                        .json();
                ((List<Map<String, Object>>) body.get("items")).forEach(m -> seen.add(m.get("clientMessageId")));
                cursor = (String) body.get("nextCursor");
                if (page++ < 5) {
                    // new messages arrive while bob pages back: they are newer than every page he has left
                    send(a, channel, "late-" + page);
                }
            } while (cursor != null);
            assertThat(seen).doesNotHaveDuplicates();
            assertThat(seen.stream().filter(id -> ((String) id).startsWith("h-")))
                    .hasSize(1000);
        }
    }

    @Test
    void receiptsReachTheSender() {
        TestClient alice = nodeA.client().registerNewUser();
        TestClient bob = nodeB.client().registerNewUser();
        TestClient carol = nodeA.client().registerNewUser();
        try (TestSocket a = connect(alice);
                TestSocket b = connect(bob);
                TestSocket c = connect(carol)) {
            String channel = groupSeenBy(alice, "Receipts", List.of(bob, carol), b, c);
            send(a, channel, "r-1");
            Map<String, Object> message = data(b.awaitFrame(isCreated("r-1")));
            c.awaitFrame(isCreated("r-1"));

            for (String reader : List.of(id(bob), id(carol))) {
                a.awaitFrame(f -> "message.receipt".equals(f.get("type"))
                        && reader.equals(data(f).get("userId"))
                        && message.get("id").equals(data(f).get("messageId"))
                        && data(f).get("deliveredAt") != null);
            }
            b.send(Map.of(
                    "type",
                    "read",
                    "id",
                    "read-1",
                    "data",
                    Map.of("channelId", channel, "messageId", message.get("id"))));
            b.awaitFrame(f -> "ack".equals(f.get("type")) && "read-1".equals(f.get("id")));
            Map<String, Object> read =
                    data(a.awaitFrame(f -> "message.receipt".equals(f.get("type")) && data(f).get("readAt") != null));
            assertThat(read)
                    .containsEntry("userId", id(bob))
                    .containsEntry("channelId", channel)
                    .containsEntry("messageId", message.get("id"));
            assertThat(b.frames("message.receipt"))
                    .as("readers are not told of their own receipts")
                    .isEmpty();

            List<Map<String, Object>> receipts =
                    ChatRestIT.items(alice.get("/api/messages/" + message.get("id") + "/receipts"));
            assertThat(receipts).hasSize(2).allMatch(r -> r.get("deliveredAt") != null);
            assertThat(receipts)
                    .filteredOn(r -> id(bob).equals(r.get("userId")))
                    .singleElement()
                    .satisfies(r -> assertThat(r).containsKey("readAt"));
        }
    }

    @Test
    void presenceReachesContactsAcrossNodesAndRidesOutAReconnect() {
        TestClient alice = nodeA.client().registerNewUser();
        TestClient dave = nodeB.client().registerNewUser();
        assertThat(dave.post("/api/contacts", Map.of("userId", id(alice))).status())
                .isEqualTo(204);
        try (TestSocket d = connect(dave)) {
            TestSocket a = connect(alice);
            Map<String, Object> online = data(d.awaitFrame(isPresence(id(alice), true)));
            assertThat(online).containsKey("lastSeenAt");
            assertThat(ChatRestIT.items(dave.get("/api/contacts")).getFirst()).containsEntry("online", true);

            // a reconnect on the other node within the grace shows nothing
            a.close();
            TestSocket again = connect(alice.withBase(nodeB.base()));
            again.send(Map.of("type", "ping", "id", "p"));
            again.awaitFrame(f -> "pong".equals(f.get("type")));
            again.close();

            d.awaitFrame(isPresence(id(alice), false));
            assertThat(d.frames("presence").stream().filter(isPresence(id(alice), true)))
                    .hasSize(1);
            assertThat(d.frames("presence").stream().filter(isPresence(id(alice), false)))
                    .hasSize(1);
            assertThat(ChatRestIT.items(dave.get("/api/contacts")).getFirst()).containsEntry("online", false);
        }
    }

    @Test
    void typingReachesTheOthersAndNotTheSender() {
        TestClient alice = nodeA.client().registerNewUser();
        TestClient bob = nodeB.client().registerNewUser();
        TestClient carol = nodeA.client().registerNewUser();
        try (TestSocket a = connect(alice);
                TestSocket b = connect(bob);
                TestSocket c = connect(carol)) {
            String channel = groupSeenBy(alice, "Typing", List.of(bob, carol), b, c);
            a.send(Map.of("type", "typing", "id", "t1", "data", Map.of("channelId", channel, "typing", true)));
            a.awaitFrame(f -> "ack".equals(f.get("type")) && "t1".equals(f.get("id")));
            for (TestSocket other : List.of(b, c)) {
                Map<String, Object> typing = data(other.awaitFrame(f -> "typing".equals(f.get("type"))));
                assertThat(typing)
                        .containsEntry("channelId", channel)
                        .containsEntry("userId", id(alice))
                        .containsEntry("typing", true);
            }
            // the server ends it by itself when alice stops refreshing
            b.awaitFrame(f -> "typing".equals(f.get("type")) && Boolean.FALSE.equals(data(f).get("typing")));
            a.send(Map.of("type", "ping", "id", "p"));
            a.awaitFrame(f -> "pong".equals(f.get("type")));
            assertThat(a.frames("typing")).isEmpty();
        }
    }

    @Test
    void aRemovedMemberStopsReceivingAtOnce() {
        TestClient alice = nodeA.client().registerNewUser();
        TestClient bob = nodeB.client().registerNewUser();
        TestClient carol = nodeB.client().registerNewUser();
        try (TestSocket b = connect(bob);
                TestSocket c = connect(carol)) {
            String channel = groupSeenBy(alice, "Leaving", List.of(bob, carol), b, c);
            assertThat(alice.post(
                                    "/api/channels/" + channel + "/messages",
                                    Map.of("content", "1", "clientMessageId", "before"))
                            .status())
                    .isEqualTo(202);
            c.awaitFrame(isCreated("before"));

            assertThat(alice.delete("/api/channels/" + channel + "/members/" + id(carol))
                            .status())
                    .isEqualTo(204);
            c.awaitFrame(f -> "channel.updated".equals(f.get("type"))
                    && ((List<Map<String, Object>>) data(f).get("members"))
                            .stream().noneMatch(m -> id(carol).equals(m.get("id"))));
            for (String id : List.of("after-1", "after-2")) {
                assertThat(alice.post(
                                        "/api/channels/" + channel + "/messages",
                                        Map.of("content", "2", "clientMessageId", id))
                                .status())
                        .isEqualTo(202);
            }
            b.awaitFrame(isCreated("after-2"));
            c.send(Map.of("type", "ping", "id", "p"));
            c.awaitFrame(f -> "pong".equals(f.get("type")));
            assertThat(created(c, channel))
                    .extracting(m -> m.get("clientMessageId"))
                    .containsExactly("before");
        }
    }

    @Test
    void anAttachmentsAndARoomZipsCompletedStatusReachEveryMember() throws Exception {
        TestClient alice = nodeA.client().registerNewUser();
        TestClient bob = nodeB.client().registerNewUser();
        TestClient carol = nodeA.client().registerNewUser();
        try (TestSocket a = connect(alice);
                TestSocket b = connect(bob);
                TestSocket c = connect(carol)) {
            String channel = groupSeenBy(alice, "Photos", List.of(bob, carol), b, c);
            Map<String, Object> accepted = TestUploads.acceptedJob(alice, Images.jpeg(dir, 3000, 2000));
            send(a, channel, "photo", List.of(accepted.get("uploadId")));
            Object jobId = accepted.get("jobId");
            for (TestSocket s : List.of(a, b, c)) {
                // COMPLETED reaches each member: as job.updated on the channel, or already in the message if it
                // finished first
                await().atMost(Duration.ofSeconds(90))
                        .until(() -> s.frames().stream()
                                .anyMatch(f -> completedJob(f, jobId)
                                        || isCreated("photo").test(f)
                                                && ((List<Map<String, Object>>) data(f).get("attachments"))
                                                        .stream().anyMatch(x -> "COMPLETED".equals(x.get("status")))));
            }
            assertThat(b.frames("job.updated").stream().filter(f -> completedJob(f, jobId)))
                    .hasSizeLessThanOrEqualTo(1);
            assertThat(bob.get("/api/jobs/" + jobId).json()).containsEntry("status", "COMPLETED");

            // a room zip asked for by bob: its job.updated reaches the channel, so alice and carol see it finish too
            TestClient.Response zip =
                    bob.post("/api/zips", Map.of("uploadIds", List.of(accepted.get("uploadId")), "channelId", channel));
            assertThat(zip.status()).as(zip.body()).isEqualTo(202);
            Object zipJob = zip.json().get("jobId");
            for (TestSocket s : List.of(a, b, c)) {
                s.awaitFrame(f -> completedJob(f, zipJob));
            }
            assertThat(a.frames("job.updated").stream().filter(f -> completedJob(f, zipJob)))
                    .hasSize(1);
            // bob owns the zip and is a member: it reaches him on his own route only, not a second time through the
            // channel
            await().during(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> b.frames("job.updated").stream()
                                    .filter(f -> completedJob(f, zipJob))
                                    .count()
                            == 1);
        }
    }

    // ---- helpers

    /** Creates a group and waits until each socket was told of it (so its node follows the channel). */
    static String groupSeenBy(TestClient owner, String name, List<TestClient> members, TestSocket... sockets) {
        String channel = ChatRestIT.group(owner, name, members.toArray(TestClient[]::new));
        for (TestSocket s : sockets) {
            s.awaitFrame(f -> "channel.updated".equals(f.get("type")) && channel.equals(data(f).get("id")));
        }
        return channel;
    }

    static TestSocket connect(TestClient user) {
        return TestSocket.connect(user.base(), user.token(), null);
    }

    static String direct(TestClient from, TestClient to) {
        return (String) from.post("/api/channels/direct", Map.of("userId", id(to)))
                .json()
                .get("id");
    }

    static void send(TestSocket socket, String channel, String clientMessageId) {
        send(socket, channel, clientMessageId, List.of());
    }

    static void send(TestSocket socket, String channel, String clientMessageId, List<Object> attachments) {
        socket.send(Map.of(
                "type",
                "message.send",
                "id",
                clientMessageId,
                "data",
                Map.of(
                        "channelId",
                        channel,
                        "content",
                        "text of " + clientMessageId,
                        "clientMessageId",
                        clientMessageId,
                        "attachments",
                        attachments)));
    }

    static List<Map<String, Object>> created(TestSocket socket, String channel) {
        return socket.frames("message.created").stream()
                .map(ChatScaleOutIT::data)
                .filter(m -> channel.equals(m.get("channelId")))
                .toList();
    }

    static Predicate<Map<String, Object>> isCreated(String clientMessageId) {
        return f -> "message.created".equals(f.get("type")) && clientMessageId.equals(data(f).get("clientMessageId"));
    }

    private static Predicate<Map<String, Object>> isPresence(String userId, boolean online) {
        return f -> "presence".equals(f.get("type"))
                && userId.equals(data(f).get("userId"))
                && data(f).get("online").equals(online);
    }

    private static boolean completedJob(Map<String, Object> frame, Object jobId) {
        return "job.updated".equals(frame.get("type"))
                && jobId.equals(data(frame).get("jobId"))
                && "COMPLETED".equals(data(frame).get("status"));
    }

    static Map<String, Object> data(Map<String, Object> frame) {
        return (Map<String, Object>) frame.get("data");
    }

    private static final Map<String, String> IDS = new java.util.concurrent.ConcurrentHashMap<>();

    static String id(TestClient user) {
        return IDS.computeIfAbsent(user.token(), t -> ChatRestIT.id(user));
    }
}
