package io.chute.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.support.EmbeddedChuteIT;
import io.chute.support.TestClient;
import io.chute.support.TestUploads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Every chat endpoint over real HTTP on the embedded setup: its happy path and its 400/401/403/404/409 answers. */
@SuppressWarnings("unchecked")
class ChatRestIT extends EmbeddedChuteIT {

    @Test
    void findsUsersByUsernameOrDisplayNamePrefixIgnoringCase() {
        TestClient alice = newUser();
        TestClient bob = newUser();
        String bobName = (String) bob.get("/api/me").json().get("username");
        assertThat(bob.patchJson("/api/me", Map.of("displayName", "Zebulon Quaxley"))
                        .status())
                .isEqualTo(200);

        assertThat(ids(alice.get("/api/users?query=" + bobName.substring(0, 8).toUpperCase())
                        .json()))
                .contains(id(bob));
        assertThat(ids(alice.get("/api/users?query=zebulon%20q").json())).contains(id(bob));
        assertThat(ids(alice.get("/api/users?query=%25").json())).isEmpty();
        assertThat(bob.get("/api/me").json()).containsEntry("displayName", "Zebulon Quaxley");

        assertProblem(alice.get("/api/users"), 400);
        assertProblem(alice.get("/api/users?query=%20"), 400);
        assertProblem(anonymous().get("/api/users?query=a"), 401);
        assertProblem(alice.patchJson("/api/me", Map.of("displayName", " ")), 400);
        assertProblem(alice.patchJson("/api/me", Map.of("displayName", "x".repeat(65))), 400);
    }

    @Test
    void contactsAreAddedListedWithPresenceAndRemoved() {
        TestClient alice = newUser();
        TestClient bob = newUser();

        assertThat(alice.post("/api/contacts", Map.of("userId", id(bob))).status())
                .isEqualTo(204);
        assertThat(alice.post("/api/contacts", Map.of("userId", id(bob))).status())
                .isEqualTo(204);
        List<Map<String, Object>> contacts = items(alice.get("/api/contacts"));
        assertThat(contacts)
                .singleElement()
                .satisfies(c -> assertThat(c)
                        .containsEntry("id", id(bob))
                        .containsEntry("online", false)
                        .containsKeys("username", "displayName"));
        assertThat(items(bob.get("/api/contacts"))).isEmpty();

        assertProblem(alice.post("/api/contacts", Map.of("userId", id(alice))), 400);
        assertProblem(alice.post("/api/contacts", Map.of()), 400);
        assertProblem(
                alice.post("/api/contacts", Map.of("userId", UUID.randomUUID().toString())), 404);
        assertProblem(anonymous().get("/api/contacts"), 401);

        assertThat(alice.delete("/api/contacts/" + id(bob)).status()).isEqualTo(204);
        assertProblem(alice.delete("/api/contacts/" + id(bob)), 404);
        assertThat(items(alice.get("/api/contacts"))).isEmpty();
    }

    @Test
    void aGroupIsCreatedWithItsMembersAndItsOwner() {
        TestClient alice = newUser();
        TestClient bob = newUser();
        TestClient.Response created = alice.post("/api/channels", Map.of("name", "Ops", "memberIds", List.of(id(bob))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Map<String, Object> channel = created.json();
        assertThat(channel)
                .containsEntry("type", "group")
                .containsEntry("name", "Ops")
                .containsKeys("id", "createdAt");
        assertThat((List<Map<String, Object>>) channel.get("members"))
                .extracting(m -> m.get("id"))
                .containsExactlyInAnyOrder(id(alice), id(bob));
        assertThat((List<Map<String, Object>>) channel.get("members"))
                .filteredOn(m -> m.get("id").equals(id(alice)))
                .singleElement()
                .satisfies(m -> assertThat(m).containsEntry("role", "owner"));
        assertThat(bob.get("/api/channels/" + channel.get("id")).status()).isEqualTo(200);

        assertProblem(alice.post("/api/channels", Map.of("memberIds", List.of(id(bob)))), 400);
        assertProblem(alice.post("/api/channels", Map.of("name", "x".repeat(101))), 400);
        assertProblem(
                alice.post(
                        "/api/channels",
                        Map.of(
                                "name",
                                "Ops",
                                "memberIds",
                                List.of(UUID.randomUUID().toString()))),
                404);
        assertProblem(anonymous().post("/api/channels", Map.of("name", "Ops")), 401);
        assertProblem(newUser().get("/api/channels/" + channel.get("id")), 404);
        assertProblem(alice.get("/api/channels/" + UUID.randomUUID()), 404);
    }

    @Test
    void aPairHasExactlyOneDirectChannelEvenWhenBothOpenItAtOnce() throws Exception {
        TestClient alice = newUser();
        TestClient bob = newUser();
        TestClient.Response first = alice.post("/api/channels/direct", Map.of("userId", id(bob)));
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        assertThat(first.json()).containsEntry("type", "direct");
        TestClient.Response again = bob.post("/api/channels/direct", Map.of("userId", id(alice)));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("id")).isEqualTo(first.json().get("id"));

        TestClient carol = newUser();
        TestClient dave = newUser();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<TestClient.Response>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                TestClient from = i % 2 == 0 ? carol : dave;
                String to = i % 2 == 0 ? id(dave) : id(carol);
                calls.add(() -> from.post("/api/channels/direct", Map.of("userId", to)));
            }
            List<TestClient.Response> answers = new ArrayList<>();
            for (Future<TestClient.Response> f : pool.invokeAll(calls)) {
                answers.add(f.get());
            }
            assertThat(answers)
                    .extracting(TestClient.Response::status)
                    .containsOnly(200, 201)
                    .containsOnlyOnce(201);
            assertThat(answers.stream().map(r -> r.json().get("id")).distinct()).hasSize(1);
        } finally {
            pool.shutdownNow();
        }

        assertProblem(alice.post("/api/channels/direct", Map.of("userId", id(alice))), 400);
        assertProblem(alice.post("/api/channels/direct", Map.of()), 400);
        assertProblem(
                alice.post(
                        "/api/channels/direct",
                        Map.of("userId", UUID.randomUUID().toString())),
                404);
        assertProblem(
                alice.post("/api/channels/" + first.json().get("id") + "/members", Map.of("userId", id(carol))), 409);
    }

    @Test
    void ownersAddAndRemoveMembersOthersMayOnlyLeave() {
        TestClient alice = newUser();
        TestClient bob = newUser();
        TestClient carol = newUser();
        TestClient outsider = newUser();
        String channel = group(alice, "Team", bob);
        String members = "/api/channels/" + channel + "/members";

        assertThat(alice.post(members, Map.of("userId", id(carol))).status()).isEqualTo(204);
        assertProblem(alice.post(members, Map.of("userId", id(carol))), 409);
        assertProblem(alice.post(members, Map.of("userId", UUID.randomUUID().toString())), 404);
        assertProblem(alice.post(members, Map.of()), 400);
        assertProblem(bob.post(members, Map.of("userId", id(outsider))), 403);
        assertProblem(outsider.post(members, Map.of("userId", id(outsider))), 404);
        assertProblem(outsider.delete(members + "/" + id(bob)), 404);
        assertProblem(bob.delete(members + "/" + id(carol)), 403);
        assertProblem(alice.delete(members + "/" + id(alice)), 409);
        assertProblem(alice.delete(members + "/" + id(outsider)), 404);

        assertThat(alice.delete(members + "/" + id(carol)).status()).isEqualTo(204);
        assertProblem(carol.get("/api/channels/" + channel), 404);
        assertThat(bob.delete(members + "/" + id(bob)).status()).isEqualTo(204);
        assertProblem(bob.get("/api/channels/" + channel + "/messages"), 404);
    }

    @Test
    void messagesAreAcceptedCheckedAndStoredOncePerClientMessageId() {
        TestClient alice = newUser();
        TestClient bob = newUser();
        String channel = group(alice, "Chat", bob);
        String messages = "/api/channels/" + channel + "/messages";

        TestClient.Response accepted =
                alice.post(messages, Map.of("content", "<b>hi</b> & bye", "clientMessageId", "m-1"));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        assertThat(accepted.json()).containsEntry("clientMessageId", "m-1");
        assertThat(alice.post(messages, Map.of("content", "<b>hi</b> & bye", "clientMessageId", "m-1"))
                        .status())
                .isEqualTo(202);
        assertThat(bob.post(messages, Map.of("content", "same id, other sender", "clientMessageId", "m-1"))
                        .status())
                .isEqualTo(202);

        List<Map<String, Object>> history =
                await().atMost(Duration.ofSeconds(10)).until(() -> items(bob.get(messages)), h -> h.size() == 2);
        assertThat(history.get(1))
                .containsEntry("content", "<b>hi</b> & bye")
                .containsEntry("senderId", id(alice))
                .containsEntry("clientMessageId", "m-1")
                .containsEntry("channelId", channel)
                .containsEntry("attachments", List.of())
                .containsKeys("id", "createdAt");
        assertThat(history.get(0)).containsEntry("senderId", id(bob));

        assertProblem(alice.post(messages, Map.of("content", "x".repeat(4001), "clientMessageId", "m-2")), 400);
        assertProblem(alice.post(messages, Map.of("content", "", "clientMessageId", "m-2")), 400);
        assertProblem(alice.post(messages, Map.of("content", "   ", "clientMessageId", "m-2")), 400);
        assertProblem(alice.post(messages, Map.of("content", "nul \u0000", "clientMessageId", "m-2")), 400);
        assertProblem(alice.post(messages, Map.of("content", "hi")), 400);
        assertProblem(alice.post(messages, Map.of("content", "hi", "clientMessageId", "x".repeat(65))), 400);
        assertProblem(alice.post(messages, Map.of("content", "hi", "clientMessageId", "has space")), 400);
        assertProblem(newUser().post(messages, Map.of("content", "hi", "clientMessageId", "m-3")), 404);
        assertProblem(
                alice.post(
                        "/api/channels/" + UUID.randomUUID() + "/messages",
                        Map.of("content", "hi", "clientMessageId", "m-3")),
                404);
        assertProblem(anonymous().post(messages, Map.of("content", "hi", "clientMessageId", "m-3")), 401);
        assertProblem(
                alice.post(
                        messages,
                        Map.of(
                                "content",
                                "hi",
                                "clientMessageId",
                                "m-4",
                                "attachments",
                                List.of(UUID.randomUUID().toString()))),
                404);
    }

    @Test
    void historyPagesNewestFirstWithACursor() {
        TestClient alice = newUser();
        String channel = group(alice, "Log");
        String messages = "/api/channels/" + channel + "/messages";
        for (int i = 0; i < 25; i++) {
            assertThat(alice.post(messages, Map.of("content", "n" + i, "clientMessageId", "h-" + i))
                            .status())
                    .isEqualTo(202);
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> items(alice.get(messages + "?limit=100")).size() == 25);

        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            Map<String, Object> page = alice.get(messages + "?limit=10" + (cursor == null ? "" : "&before=" + cursor))
                    .json();
            ((List<Map<String, Object>>) page.get("items")).forEach(m -> seen.add((String) m.get("content")));
            cursor = (String) page.get("nextCursor");
        } while (cursor != null);
        List<String> expected = new ArrayList<>();
        for (int i = 24; i >= 0; i--) {
            expected.add("n" + i);
        }
        assertThat(seen).containsExactlyElementsOf(expected);

        assertProblem(alice.get(messages + "?before=not-a-cursor"), 400);
        assertProblem(alice.get(messages + "?limit=0"), 400);
        assertProblem(alice.get(messages + "?limit=101"), 400);
        assertProblem(alice.get(messages + "?limit=ten"), 400);
        assertProblem(newUser().get(messages), 404);
    }

    @Test
    void readPointersGiveUnreadCountsAndReceipts() {
        TestClient alice = newUser();
        TestClient bob = newUser();
        String channel = group(alice, "Reads", bob);
        String messages = "/api/channels/" + channel + "/messages";
        for (int i = 0; i < 3; i++) {
            alice.post(messages, Map.of("content", "m" + i, "clientMessageId", "r-" + i));
        }
        List<Map<String, Object>> history =
                await().atMost(Duration.ofSeconds(10)).until(() -> items(bob.get(messages)), h -> h.size() == 3);

        Map<String, Object> listed = channelIn(bob, channel);
        assertThat(listed).containsEntry("unreadCount", 3);
        assertThat((Map<String, Object>) listed.get("lastMessage")).containsEntry("content", "m2");
        assertThat(channelIn(alice, channel)).containsEntry("unreadCount", 0);

        String middle = (String) history.get(1).get("id");
        assertThat(bob.post("/api/channels/" + channel + "/read", Map.of("messageId", middle))
                        .status())
                .isEqualTo(204);
        assertThat(channelIn(bob, channel)).containsEntry("unreadCount", 1);
        List<Map<String, Object>> receipts =
                items(alice.get("/api/messages/" + history.get(2).get("id") + "/receipts"));
        assertThat(receipts)
                .singleElement()
                .satisfies(r -> assertThat(r).containsEntry("userId", id(bob)).containsKeys("readAt", "deliveredAt"));
        assertThat(items(alice.get("/api/messages/" + history.get(0).get("id") + "/receipts")))
                .singleElement()
                .satisfies(r -> assertThat(r).containsEntry("userId", id(bob)).doesNotContainKey("readAt"));
        // reading an older message never moves the pointer back
        assertThat(bob.post(
                                "/api/channels/" + channel + "/read",
                                Map.of("messageId", history.get(2).get("id")))
                        .status())
                .isEqualTo(204);
        assertThat(channelIn(bob, channel)).containsEntry("unreadCount", 1);

        String other = group(alice, "Other", bob);
        assertProblem(bob.post("/api/channels/" + other + "/read", Map.of("messageId", middle)), 404);
        assertProblem(bob.post("/api/channels/" + channel + "/read", Map.of()), 400);
        assertProblem(newUser().post("/api/channels/" + channel + "/read", Map.of("messageId", middle)), 404);
        assertProblem(newUser().get("/api/messages/" + middle + "/receipts"), 404);
        assertProblem(alice.get("/api/messages/" + UUID.randomUUID() + "/receipts"), 404);
    }

    @Test
    void membersReadAttachmentsAndZipThemOutsidersGet404() {
        TestClient alice = newUser();
        TestClient bob = newUser();
        TestClient outsider = newUser();
        String channel = group(alice, "Files", bob);
        Map<String, Object> accepted = TestUploads.acceptedJob(alice);
        String uploadId = (String) accepted.get("uploadId");
        Map<String, Object> otherUpload = TestUploads.acceptedJob(outsider);

        assertProblem(
                alice.post(
                        "/api/channels/" + channel + "/messages",
                        Map.of("clientMessageId", "a-0", "attachments", List.of(otherUpload.get("uploadId")))),
                404);
        assertProblem(bob.get("/api/uploads/" + uploadId), 404);
        assertThat(alice.post(
                                "/api/channels/" + channel + "/messages",
                                Map.of("clientMessageId", "a-1", "attachments", List.of(uploadId)))
                        .status())
                .isEqualTo(202);
        Map<String, Object> message = await().atMost(Duration.ofSeconds(10))
                .until(() -> items(bob.get("/api/channels/" + channel + "/messages")), h -> h.size() == 1)
                .getFirst();
        assertThat(message).containsEntry("content", "");
        assertThat((List<Map<String, Object>>) message.get("attachments"))
                .singleElement()
                .satisfies(a -> assertThat(a)
                        .containsEntry("uploadId", uploadId)
                        .containsEntry("fileName", "small.jpg")
                        .containsEntry("jobId", accepted.get("jobId"))
                        .containsKeys("size", "detectedType", "status", "outputs"));

        TestUploads.completedJob(alice, accepted);
        assertThat(bob.get("/api/uploads/" + uploadId).status()).isEqualTo(200);
        assertThat(bob.get("/api/uploads/" + uploadId + "/download").status()).isEqualTo(302);
        assertThat(bob.get((String) accepted.get("statusUrl")).json()).containsEntry("status", "COMPLETED");
        assertProblem(outsider.get("/api/uploads/" + uploadId), 404);
        assertProblem(outsider.get("/api/uploads/" + uploadId + "/download"), 404);
        assertProblem(outsider.get((String) accepted.get("statusUrl")), 404);
        assertProblem(bob.post((String) accepted.get("statusUrl") + "/cancel", Map.of()), 404);

        TestClient.Response zip = bob.post("/api/zips", Map.of("uploadIds", List.of(uploadId), "channelId", channel));
        assertThat(zip.status()).as(zip.body()).isEqualTo(202);
        Map<String, Object> zipJob = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> alice.get((String) zip.json().get("statusUrl")).json(),
                        j -> "COMPLETED".equals(j.get("status")));
        assertThat((Map<String, Object>) zipJob.get("outputs")).containsKey("archive");
        assertProblem(outsider.get((String) zip.json().get("statusUrl")), 404);
        assertProblem(outsider.post("/api/zips", Map.of("uploadIds", List.of(uploadId), "channelId", channel)), 404);
        assertProblem(
                bob.post("/api/zips", Map.of("uploadIds", List.of(otherUpload.get("uploadId")), "channelId", channel)),
                404);
        assertProblem(bob.post("/api/zips", Map.of("uploadIds", List.of(uploadId))), 404);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyFileSharedInAChannelIsListedNewestFirstToMembersOnly() {
        TestClient alice = newUser();
        TestClient bob = newUser();
        TestClient outsider = newUser();
        String channel = group(alice, "Shared files", bob);
        List<Object> uploads = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            uploads.add(TestUploads.acceptedJob(alice).get("uploadId"));
        }
        alice.post(
                "/api/channels/" + channel + "/messages",
                Map.of("clientMessageId", "f-1", "attachments", List.of(uploads.get(0))));
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        items(bob.get("/api/channels/" + channel + "/messages")).size() == 1);
        for (int i = 0; i < 5; i++) {
            alice.post(
                    "/api/channels/" + channel + "/messages",
                    Map.of("content", "chatter " + i, "clientMessageId", "f-text-" + i));
        }
        alice.post(
                "/api/channels/" + channel + "/messages",
                Map.of(
                        "content",
                        "two more",
                        "clientMessageId",
                        "f-2",
                        "attachments",
                        List.of(uploads.get(1), uploads.get(2))));
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        items(bob.get("/api/channels/" + channel + "/messages")).size() == 7);

        Map<String, Object> first =
                bob.get("/api/channels/" + channel + "/files?limit=1").json();
        Map<String, Object> second = bob.get(
                        "/api/channels/" + channel + "/files?limit=1&before=" + first.get("nextCursor"))
                .json();

        assertThat((List<Map<String, Object>>) first.get("items"))
                .extracting(f -> ((Map<String, Object>) f.get("attachment")).get("uploadId"))
                .containsExactly(uploads.get(1), uploads.get(2));
        assertThat((List<Map<String, Object>>) first.get("items"))
                .allSatisfy(
                        f -> assertThat(f).containsEntry("senderId", id(alice)).containsKeys("messageId", "createdAt"));
        assertThat((List<Map<String, Object>>) second.get("items"))
                .extracting(f -> ((Map<String, Object>) f.get("attachment")).get("uploadId"))
                .containsExactly(uploads.get(0));
        assertThat(second.get("nextCursor")).isNull();
        assertProblem(outsider.get("/api/channels/" + channel + "/files"), 404);
        assertProblem(bob.get("/api/channels/" + channel + "/files?limit=0"), 400);
    }

    // ---- helpers

    static String group(TestClient owner, String name, TestClient... members) {
        List<String> ids = new ArrayList<>();
        for (TestClient m : members) {
            ids.add(id(m));
        }
        TestClient.Response r = owner.post("/api/channels", Map.of("name", name, "memberIds", ids));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return (String) r.json().get("id");
    }

    @Test
    @SuppressWarnings("unchecked")
    void channelMembersCarryTheirPresenceNow() {
        TestClient alice = newUser();
        TestClient bob = newUser();
        String channel = (String) alice.post("/api/channels", Map.of("name", "Presence", "memberIds", List.of(id(bob))))
                .json()
                .get("id");
        java.util.function.Supplier<Map<String, Object>> bobAsMember = () -> ((List<Map<String, Object>>)
                        alice.get("/api/channels/" + channel).json().get("members"))
                .stream().filter(m -> id(bob).equals(m.get("id"))).findFirst().orElseThrow();
        assertThat(bobAsMember.get()).containsEntry("online", false);

        try (io.chute.support.TestSocket socket = io.chute.support.TestSocket.connect(
                java.net.URI.create("http://localhost:" + port), bob.token(), null)) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Boolean.TRUE.equals(bobAsMember.get().get("online")));
            assertThat(bobAsMember.get()).containsKey("lastSeenAt");
        }
    }

    @org.springframework.beans.factory.annotation.Autowired
    MessageWorker worker;

    @org.springframework.beans.factory.annotation.Autowired
    tools.jackson.databind.json.JsonMapper json;

    @Test
    void theChatWorkerStoresABatchAsItWouldOneCommandAtATime() {
        TestClient alice = newUser();
        TestClient bob = newUser();
        TestClient stranger = newUser();
        String channel = group(alice, "Batch", bob);
        UUID c = UUID.fromString(channel);
        java.util.function.BiFunction<TestClient, String, tools.jackson.databind.JsonNode> send =
                (who, cmid) -> json.valueToTree(new MessageWorker.SendCommand(
                        UUID.fromString(id(who)), c, "text " + cmid, cmid, List.of(), null));
        worker.handleAll(List.of(
                send.apply(alice, "a1"),
                send.apply(bob, "b1"),
                send.apply(alice, "a2"),
                send.apply(stranger, "s1"),
                send.apply(alice, "a1"),
                send.apply(bob, "b2")));
        // a redelivered batch stores nothing more
        worker.handleAll(List.of(send.apply(alice, "a2"), send.apply(bob, "b2")));

        List<Map<String, Object>> items =
                (List<Map<String, Object>>) alice.get("/api/channels/" + channel + "/messages?limit=50")
                        .json()
                        .get("items");
        assertThat(items).extracting(m -> m.get("clientMessageId")).containsExactly("b2", "a2", "b1", "a1");
        assertThat(items).extracting(m -> ((Number) m.get("seq")).longValue()).containsExactly(4L, 3L, 2L, 1L);
        // sending implies having read up to one's own last message
        Map<String, Object> mine = ((List<Map<String, Object>>)
                        bob.get("/api/channels").json().get("items"))
                .stream().filter(ch -> channel.equals(ch.get("id"))).findFirst().orElseThrow();
        assertThat(mine).containsEntry("unreadCount", 0);
    }

    static String id(TestClient user) {
        return (String) user.get("/api/me").json().get("id");
    }

    static List<Map<String, Object>> items(TestClient.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return (List<Map<String, Object>>) r.json().get("items");
    }

    private static Set<Object> ids(Map<String, Object> page) {
        Set<Object> ids = new HashSet<>();
        ((List<Map<String, Object>>) page.get("items")).forEach(u -> ids.add(u.get("id")));
        return ids;
    }

    private static Map<String, Object> channelIn(TestClient user, String channelId) {
        return items(user.get("/api/channels")).stream()
                .filter(c -> channelId.equals(c.get("id")))
                .findFirst()
                .orElseThrow();
    }

    static void assertProblem(TestClient.Response response, int status) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json()).containsEntry("status", status).containsKeys("type", "title", "detail");
    }
}
