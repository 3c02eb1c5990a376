package io.chute.chat;

import static io.chute.chat.ChatScaleOutIT.connect;
import static io.chute.chat.ChatScaleOutIT.data;
import static io.chute.chat.ChatScaleOutIT.groupSeenBy;
import static io.chute.chat.ChatScaleOutIT.id;
import static io.chute.chat.ChatScaleOutIT.isCreated;
import static io.chute.chat.ChatScaleOutIT.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.storage.FileSystemObjectStore;
import io.chute.support.ChuteProcess;
import io.chute.support.Images;
import io.chute.support.TestBroker;
import io.chute.support.TestClient;
import io.chute.support.TestDatabase;
import io.chute.support.TestSocket;
import io.chute.support.TestUploads;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Chat v2 (edits, deletes, reactions, replies) across two gateway nodes on the RabbitMQ bus, as
 * separate processes sharing the machine's PostgreSQL, a RabbitMQ vhost and an object directory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("unchecked")
class ChatV2ScaleOutIT {

    private static final String THUMBS_UP = "👍";

    private Path dir;
    private TestDatabase database;
    private TestBroker broker;
    private ChuteProcess nodeA;
    private ChuteProcess nodeB;

    @BeforeAll
    void startTwoNodes() throws Exception {
        dir = Files.createTempDirectory("chute-chat-v2-");
        database = TestDatabase.create();
        broker = TestBroker.create();
        nodeA = ChuteProcess.start(
                dir.resolve("a.log"), ChatScaleOutIT.nodeArgs(database, broker, dir.resolve("data"), "node-a"));
        nodeB = ChuteProcess.start(
                dir.resolve("b.log"), ChatScaleOutIT.nodeArgs(database, broker, dir.resolve("data"), "node-b"));
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
    void editDeleteReactionAndReplyReachEveryMemberOnceOnBothNodesAndReplayAfterReconnect() {
        TestClient alice = nodeA.client().registerNewUser();
        TestClient bob = nodeB.client().registerNewUser();
        TestClient carol = nodeA.client().registerNewUser();
        try (TestSocket a = connect(alice);
                TestSocket b = connect(bob);
                TestSocket c = connect(carol)) {
            String channel = groupSeenBy(alice, "Edits", List.of(bob, carol), a, b, c);
            send(a, channel, "original");
            String messageId =
                    (String) data(b.awaitFrame(isCreated("original"))).get("id");
            c.awaitFrame(isCreated("original"));
            long since = latestSeq(c);
            c.close();

            // edit over REST on node A, reaction over a frame on node B, reply over REST, delete over a frame
            TestClient.Response edited =
                    alice.patchJson("/api/messages/" + messageId, Map.of("content", "edited text"));
            assertThat(edited.status()).as(edited.body()).isEqualTo(200);
            assertThat(edited.json()).containsEntry("content", "edited text").containsKey("editedAt");
            b.send(Map.of(
                    "type",
                    "reaction",
                    "id",
                    "r1",
                    "data",
                    Map.of("messageId", messageId, "emoji", THUMBS_UP, "added", true)));
            b.awaitFrame(f -> "ack".equals(f.get("type")) && "r1".equals(f.get("id")));
            // idempotent: the same reaction again changes nothing and sends nothing
            assertThat(bob.putJson("/api/messages/" + messageId + "/reactions/" + emoji(THUMBS_UP), null)
                            .status())
                    .isEqualTo(204);
            assertThat(bob.post(
                                    "/api/channels/" + channel + "/messages",
                                    Map.of("content", "a reply", "clientMessageId", "reply-1", "replyTo", messageId))
                            .status())
                    .isEqualTo(202);
            Map<String, Object> reply = data(a.awaitFrame(isCreated("reply-1")));
            assertThat((Map<String, Object>) reply.get("replyTo"))
                    .containsEntry("id", messageId)
                    .containsEntry("senderId", id(alice))
                    .containsEntry("content", "edited text");
            String toDelete = (String) reply.get("id");
            b.send(Map.of("type", "message.delete", "id", "d1", "data", Map.of("messageId", toDelete)));
            b.awaitFrame(f -> "ack".equals(f.get("type")) && "d1".equals(f.get("id")));

            for (TestSocket s : List.of(a, b)) {
                s.awaitFrame(isDeleted(toDelete));
                assertOnce(s, messageId, toDelete);
            }
            // carol comes back on the other node and gets all of it replayed, once
            try (TestSocket again = TestSocket.connect(nodeB.base(), carol.token(), since)) {
                again.awaitFrame(isDeleted(toDelete));
                assertOnce(again, messageId, toDelete);
            }
            Map<String, Object> stored = ChatRestIT.items(carol.get("/api/channels/" + channel + "/messages")).stream()
                    .filter(m -> messageId.equals(m.get("id")))
                    .findFirst()
                    .orElseThrow();
            assertThat(stored).containsEntry("content", "edited text");
            assertThat((List<Map<String, Object>>) stored.get("reactions"))
                    .singleElement()
                    .satisfies(r -> assertThat(r)
                            .containsEntry("emoji", THUMBS_UP)
                            .containsEntry("count", 1)
                            .containsEntry("userIds", List.of(id(bob)))
                            .containsEntry("me", false));
            Map<String, Object> tombstone =
                    ChatRestIT.items(carol.get("/api/channels/" + channel + "/messages")).stream()
                            .filter(m -> toDelete.equals(m.get("id")))
                            .findFirst()
                            .orElseThrow();
            assertThat(tombstone)
                    .containsEntry("content", "")
                    .containsEntry("attachments", List.of())
                    .containsKey("deletedAt");
        }
    }

    @Test
    void aNonMemberCanNeitherActOnNorFindAMessage() {
        TestClient alice = nodeA.client().registerNewUser();
        TestClient bob = nodeB.client().registerNewUser();
        TestClient mallory = nodeB.client().registerNewUser();
        String channel = ChatRestIT.group(alice, "Private", bob);
        assertThat(alice.post(
                                "/api/channels/" + channel + "/messages",
                                Map.of("content", "secretword in here", "clientMessageId", "s-1"))
                        .status())
                .isEqualTo(202);
        String messageId = await().atMost(Duration.ofSeconds(30))
                .until(() -> ChatRestIT.items(bob.get("/api/channels/" + channel + "/messages")), l -> !l.isEmpty())
                .getFirst()
                .get("id")
                .toString();

        ChatRestIT.assertProblem(mallory.patchJson("/api/messages/" + messageId, Map.of("content", "mine now")), 404);
        ChatRestIT.assertProblem(mallory.delete("/api/messages/" + messageId), 404);
        ChatRestIT.assertProblem(
                mallory.putJson("/api/messages/" + messageId + "/reactions/" + emoji(THUMBS_UP), null), 404);
        ChatRestIT.assertProblem(
                mallory.post(
                        "/api/channels/" + channel + "/messages",
                        Map.of("content", "x", "clientMessageId", "m-1", "replyTo", messageId)),
                404);
        assertThat(ChatRestIT.items(mallory.get("/api/search?q=secretword"))).isEmpty();
        assertThat(ChatRestIT.items(bob.get("/api/search?q=secretword")))
                .extracting(r -> r.get("messageId"))
                .containsExactly(messageId);
        // a member who is not the sender can neither edit nor delete it in a group he does not manage
        ChatRestIT.assertProblem(bob.patchJson("/api/messages/" + messageId, Map.of("content", "bob's now")), 403);
        ChatRestIT.assertProblem(bob.delete("/api/messages/" + messageId), 403);
        assertThat(ChatRestIT.items(alice.get("/api/channels/" + channel + "/messages"))
                        .getFirst())
                .containsEntry("content", "secretword in here");
    }

    @Test
    void deletingAMessageWithAnAttachmentRemovesItsObjectsFromStorage() throws Exception {
        TestClient alice = nodeA.client().registerNewUser();
        TestClient bob = nodeB.client().registerNewUser();
        try (TestSocket a = connect(alice)) {
            String channel = ChatRestIT.group(alice, "Photos", bob);
            Map<String, Object> accepted = TestUploads.acceptedJob(alice, Images.jpeg(dir, 1200, 800));
            TestUploads.completedJob(alice, accepted);
            send(a, channel, "photo", List.of(accepted.get("uploadId")));
            String messageId = (String) data(a.awaitFrame(isCreated("photo"))).get("id");

            UUID uploadId = UUID.fromString((String) accepted.get("uploadId"));
            JdbcClient jdbc = JdbcClient.create(database.dataSource());
            List<String> keys = new ArrayList<>(jdbc.sql("select object_key from uploads where id = ?")
                    .param(uploadId)
                    .query(String.class)
                    .list());
            keys.addAll(jdbc.sql("select o.value ->> 'key' from jobs j, jsonb_each(j.outputs) o where j.upload_id = ?")
                    .param(uploadId)
                    .query(String.class)
                    .list());
            FileSystemObjectStore store = new FileSystemObjectStore(
                    dir.resolve("data").resolve("objects"),
                    "another-shared-secret-of-at-least-32-bytes".getBytes(StandardCharsets.UTF_8),
                    Clock.systemUTC());
            assertThat(keys).as("the original and its renditions").hasSizeGreaterThan(1);
            for (String key : keys) {
                assertThat(store.stat(key)).as(key).isPresent();
            }

            // the channel's owner deletes it from the other node
            assertThat(alice.withBase(nodeB.base())
                            .delete("/api/messages/" + messageId)
                            .status())
                    .isEqualTo(204);
            for (String key : keys) {
                assertThat(store.stat(key)).as(key).isEmpty();
            }
            assertThat(alice.delete("/api/messages/" + messageId).status())
                    .as("deleting twice")
                    .isEqualTo(204);
        }
    }

    // ---- helpers

    private static String emoji(String emoji) {
        return URLEncoder.encode(emoji, StandardCharsets.UTF_8);
    }

    private static long latestSeq(TestSocket socket) {
        socket.send(Map.of("type", "ping", "id", "seq"));
        socket.awaitFrame(f -> "pong".equals(f.get("type")));
        return socket.frames().stream()
                .map(f -> f.get("seq"))
                .filter(java.util.Objects::nonNull)
                .mapToLong(s -> ((Number) s).longValue())
                .max()
                .orElseThrow();
    }

    private static Predicate<Map<String, Object>> isDeleted(String messageId) {
        return f -> "message.deleted".equals(f.get("type")) && messageId.equals(data(f).get("messageId"));
    }

    /** The edit, the reaction and the delete each arrived once, the reply's message once. */
    private static void assertOnce(TestSocket s, String messageId, String replyId) {
        assertThat(s.frames("message.updated").stream()
                        .filter(f -> messageId.equals(((Map<String, Object>) data(f).get("message")).get("id"))))
                .singleElement()
                .satisfies(f -> assertThat((Map<String, Object>) data(f).get("message"))
                        .containsEntry("content", "edited text"));
        assertThat(s.frames("reaction"))
                .singleElement()
                .satisfies(f -> assertThat(data(f))
                        .containsEntry("messageId", messageId)
                        .containsEntry("emoji", THUMBS_UP)
                        .containsEntry("added", true));
        assertThat(s.frames("message.created").stream().filter(f -> replyId.equals(data(f).get("id"))))
                .hasSize(1);
        assertThat(s.frames("message.deleted"))
                .singleElement()
                .satisfies(f -> assertThat(data(f))
                        .containsEntry("messageId", replyId)
                        .containsKey("deletedAt")
                        .containsKey("channelId"));
        assertThat(Stream.of("message.updated", "reaction", "message.deleted").flatMap(t -> s.frames(t).stream()))
                .allSatisfy(f -> assertThat(f.get("seq")).isNotNull());
    }
}
