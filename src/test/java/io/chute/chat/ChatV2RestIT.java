package io.chute.chat;

import static io.chute.chat.ChatRestIT.assertProblem;
import static io.chute.chat.ChatRestIT.group;
import static io.chute.chat.ChatRestIT.id;
import static io.chute.chat.ChatRestIT.items;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.support.EmbeddedChuteIT;
import io.chute.support.Pdfs;
import io.chute.support.TestClient;
import io.chute.support.TestUploads;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chat v2 over REST on one embedded instance: mentions, notification levels, reactions, replies, edits, and search. */
@SuppressWarnings("unchecked")
class ChatV2RestIT extends EmbeddedChuteIT {

    @TempDir
    Path dir;

    @Test
    void mentionsResolveToMembersAndCountUntilRead() {
        TestClient alice = newUser();
        TestClient bob = newUser();
        TestClient outsider = newUser();
        String channel = group(alice, "Mentions", bob);
        String bobName = username(bob);
        sendAndAwait(
                alice, channel, "hello @" + bobName + ", and @" + username(outsider) + " and mail@" + bobName, "m-1");

        Map<String, Object> message =
                items(bob.get("/api/channels/" + channel + "/messages")).getFirst();
        assertThat(message).containsEntry("mentions", List.of(id(bob)));
        Map<String, Object> listed = channelIn(bob, channel);
        assertThat(listed).containsEntry("mentionCount", 1).containsEntry("notifications", "all");
        assertThat(channelIn(alice, channel)).containsEntry("mentionCount", 0);

        assertThat(bob.post("/api/channels/" + channel + "/read", Map.of("messageId", message.get("id")))
                        .status())
                .isEqualTo(204);
        assertThat(channelIn(bob, channel)).containsEntry("mentionCount", 0);
    }

    @Test
    void notificationLevelsAreKeptPerMemberAndChecked() {
        TestClient alice = newUser();
        TestClient bob = newUser();
        String channel = group(alice, "Quiet", bob);
        assertThat(bob.putJson("/api/channels/" + channel + "/notifications", Map.of("level", "mentions"))
                        .status())
                .isEqualTo(204);
        assertThat(channelIn(bob, channel)).containsEntry("notifications", "mentions");
        assertThat(channelIn(alice, channel)).containsEntry("notifications", "all");
        assertProblem(bob.putJson("/api/channels/" + channel + "/notifications", Map.of("level", "loud")), 400);
        assertProblem(newUser().putJson("/api/channels/" + channel + "/notifications", Map.of("level", "none")), 404);
    }

    @Test
    void reactionsAggregatePerEmojiAndAreIdempotent() {
        TestClient alice = newUser();
        TestClient bob = newUser();
        String channel = group(alice, "Reactions", bob);
        String messageId = sendAndAwait(alice, channel, "react to me", "r-1");
        String party = "🎉";
        String family = "👨‍👩‍👧";
        for (TestClient who : List.of(alice, bob, bob)) {
            assertThat(who.putJson(reaction(messageId, party), null).status()).isEqualTo(204);
        }
        assertThat(bob.putJson(reaction(messageId, family), null).status()).isEqualTo(204);
        List<Map<String, Object>> seenByAlice =
                (List<Map<String, Object>>) items(alice.get("/api/channels/" + channel + "/messages"))
                        .getFirst()
                        .get("reactions");
        assertThat(seenByAlice)
                .extracting(r -> r.get("emoji"), r -> r.get("count"), r -> r.get("me"))
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(party, 2, true),
                        org.assertj.core.groups.Tuple.tuple(family, 1, false));
        assertThat((List<String>) seenByAlice.getFirst().get("userIds")).containsExactly(id(alice), id(bob));

        assertThat(bob.delete(reaction(messageId, family)).status()).isEqualTo(204);
        assertThat(bob.delete(reaction(messageId, family)).status()).isEqualTo(204);
        assertThat((List<Map<String, Object>>) items(alice.get("/api/channels/" + channel + "/messages"))
                        .getFirst()
                        .get("reactions"))
                .extracting(r -> r.get("emoji"))
                .containsExactly(party);
        assertProblem(bob.putJson(reaction(messageId, "ok"), null), 400);
        assertProblem(bob.putJson(reaction(messageId, "a b 👍"), null), 400);
        assertProblem(bob.putJson(reaction(messageId, "a👍"), null), 400);
        assertThat(bob.putJson(reaction(messageId, "1️⃣"), null).status())
                .as("a keycap")
                .isEqualTo(204);
    }

    @Test
    void editsAndRepliesAreCheckedAndQuoted() {
        TestClient alice = newUser();
        TestClient bob = newUser();
        String channel = group(alice, "Replies", bob);
        String other = group(alice, "Elsewhere", bob);
        String longText = "x".repeat(250);
        String original = sendAndAwait(alice, channel, longText, "o-1");
        assertThat(bob.post(
                                "/api/channels/" + channel + "/messages",
                                Map.of("content", "quoting", "clientMessageId", "q-1", "replyTo", original))
                        .status())
                .isEqualTo(202);
        Map<String, Object> reply = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> items(alice.get("/api/channels/" + channel + "/messages"))
                                .getFirst(),
                        m -> "q-1".equals(m.get("clientMessageId")));
        assertThat((Map<String, Object>) reply.get("replyTo"))
                .containsEntry("id", original)
                .containsEntry("senderId", id(alice))
                .containsEntry("content", "x".repeat(200));

        assertProblem(
                bob.post(
                        "/api/channels/" + other + "/messages",
                        Map.of("content", "wrong room", "clientMessageId", "q-2", "replyTo", original)),
                400);
        assertProblem(alice.patchJson("/api/messages/" + original, Map.of("content", " ")), 400);
        assertProblem(alice.patchJson("/api/messages/" + original, Map.of("content", "bell\u0007")), 400);
        assertProblem(alice.patchJson("/api/messages/" + UUID.randomUUID(), Map.of("content", "nobody's")), 404);
        assertThat(alice.delete("/api/messages/" + original).status()).isEqualTo(204);
        assertProblem(alice.patchJson("/api/messages/" + original, Map.of("content", "too late")), 409);
        assertProblem(bob.putJson(reaction(original, "👍"), null), 409);
    }

    @Test
    void aGroupsOwnerDeletesAnyonesMessageButNeitherAMemberNorADirectPartnerCan() {
        TestClient alice = newUser();
        TestClient bob = newUser();
        TestClient carol = newUser();
        String channel = group(alice, "Moderated", bob, carol);
        String bobs = sendAndAwait(bob, channel, "off topic", "m-1");
        String carols = sendAndAwait(carol, channel, "also off topic", "m-2");
        String direct = (String) bob.post("/api/channels/direct", Map.of("userId", id(carol)))
                .json()
                .get("id");
        String bobToCarol = sendAndAwait(bob, direct, "just us", "m-3");

        assertProblem(carol.delete("/api/messages/" + bobs), 403);
        assertProblem(carol.delete("/api/messages/" + bobToCarol), 403);
        assertThat(alice.delete("/api/messages/" + bobs).status()).isEqualTo(204);
        assertThat(alice.delete("/api/messages/" + carols).status()).isEqualTo(204);
        assertThat(items(bob.get("/api/channels/" + channel + "/messages")))
                .filteredOn(m -> m.get("deletedAt") != null)
                .extracting(m -> m.get("id"))
                .containsExactlyInAnyOrder(bobs, carols);
    }

    @Test
    void searchFindsAMessageByAWordAFileByItsNameAndAPdfByAWordOnlyInItsText() throws Exception {
        TestClient alice = newUser();
        TestClient bob = newUser();
        TestClient outsider = newUser();
        String channel = group(alice, "Accounts", bob);
        String word = "zq" + UUID.randomUUID().toString().substring(0, 8);
        String messageId = sendAndAwait(alice, channel, "the " + word + " figures are in", "s-1");

        Path pdf = Pdfs.aPdf()
                .withPages("Invoice number INV" + word + "X is due", "page two")
                .writeTo(dir);
        Path named = Files.move(pdf, dir.resolve("statement-" + word + "-final.pdf"));
        Path textOnly = Pdfs.aPdf().withPages("Only the text says Kx" + word).writeTo(dir);
        Path renamed = Files.move(textOnly, dir.resolve("scan.pdf"));
        List<Object> uploads = new ArrayList<>();
        for (Path file : List.of(named, renamed)) {
            Map<String, Object> accepted = TestUploads.acceptedJob(alice, file);
            TestUploads.completedJob(alice, accepted);
            uploads.add(accepted.get("uploadId"));
        }
        assertThat(alice.post(
                                "/api/channels/" + channel + "/messages",
                                Map.of("content", "", "clientMessageId", "files-1", "attachments", uploads))
                        .status())
                .isEqualTo(202);

        // the message by its word
        assertThat(items(bob.get("/api/search?q=" + word)))
                .filteredOn(r -> "message".equals(r.get("kind")))
                .singleElement()
                .satisfies(r -> assertThat(r)
                        .containsEntry("messageId", messageId)
                        .containsEntry("channelId", channel)
                        .containsEntry("snippet", "the «" + word + "» figures are in")
                        .containsKey("createdAt"));
        // the file by its name
        List<Map<String, Object>> byName = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> items(bob.get("/api/search?q=" + word)),
                        l -> l.stream().anyMatch(r -> "file".equals(r.get("kind"))));
        assertThat(byName)
                .filteredOn(r -> "file".equals(r.get("kind")))
                .singleElement()
                .satisfies(r -> assertThat(r)
                        .containsEntry("uploadId", uploads.get(0))
                        .containsEntry("fileName", "statement-" + word + "-final.pdf"));
        // the PDF by a word only in its text, once its text is indexed
        List<Map<String, Object>> byText = await().atMost(Duration.ofSeconds(60))
                .until(() -> items(bob.get("/api/search?q=Kx" + word)), l -> !l.isEmpty());
        assertThat(byText).singleElement().satisfies(r -> {
            assertThat(r)
                    .containsEntry("kind", "file")
                    .containsEntry("uploadId", uploads.get(1))
                    .containsEntry("fileName", "scan.pdf");
            assertThat((String) r.get("snippet")).contains("«Kx" + word + "»").contains("Only the text says");
        });
        // scoped to one channel, and nothing for someone outside it
        assertThat(items(bob.get("/api/search?q=" + word + "&channelId=" + group(bob, "Other", alice))))
                .isEmpty();
        for (String q : List.of(word, "Kx" + word, "statement")) {
            assertThat(items(outsider.get("/api/search?q=" + q))).as(q).isEmpty();
        }
        assertProblem(bob.get("/api/search?q="), 400);
        assertProblem(bob.get("/api/search?q=x&before=nonsense"), 400);
        // a file its owner deleted for good is found neither by its text nor by its name
        assertThat(alice.delete("/api/uploads/" + uploads.get(1)).status()).isEqualTo(204);
        assertThat(items(bob.get("/api/search?q=Kx" + word))).isEmpty();
    }

    @Test
    void searchPagesYieldEachResultOnce() {
        TestClient alice = newUser();
        TestClient bob = newUser();
        String channel = group(alice, "Paging", bob);
        String word = "pg" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 25; i++) {
            assertThat(alice.post(
                                    "/api/channels/" + channel + "/messages",
                                    Map.of("content", "item " + i + " " + word, "clientMessageId", "p-" + i))
                            .status())
                    .isEqualTo(202);
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> items(bob.get("/api/search?limit=100&q=" + word)).size() == 25);
        List<Object> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Map<String, Object> page = bob.get(
                            "/api/search?limit=7&q=" + word + (cursor == null ? "" : "&before=" + cursor))
                    .json();
            ((List<Map<String, Object>>) page.get("items")).forEach(r -> seen.add(r.get("messageId")));
            cursor = (String) page.get("nextCursor");
            if (pages++ == 0) {
                // a newer match arriving meanwhile does not shift the later pages
                alice.post(
                        "/api/channels/" + channel + "/messages",
                        Map.of("content", "late " + word, "clientMessageId", "late"));
            }
        } while (cursor != null);
        assertThat(seen).hasSize(25).doesNotHaveDuplicates();
        List<String> createdAt = items(bob.get("/api/search?limit=100&q=" + word)).stream()
                .map(r -> (String) r.get("createdAt"))
                .toList();
        assertThat(createdAt).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    }

    // ---- helpers

    private String sendAndAwait(TestClient sender, String channel, String content, String clientMessageId) {
        assertThat(sender.post(
                                "/api/channels/" + channel + "/messages",
                                Map.of("content", content, "clientMessageId", clientMessageId))
                        .status())
                .isEqualTo(202);
        return (String) await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> items(sender.get("/api/channels/" + channel + "/messages")).stream()
                                .filter(m -> clientMessageId.equals(m.get("clientMessageId")))
                                .findFirst(),
                        java.util.Optional::isPresent)
                .orElseThrow()
                .get("id");
    }

    private static String reaction(String messageId, String emoji) {
        return "/api/messages/" + messageId + "/reactions/"
                + URLEncoder.encode(emoji, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String username(TestClient user) {
        return (String) user.get("/api/me").json().get("username");
    }

    private static Map<String, Object> channelIn(TestClient user, String channelId) {
        return items(user.get("/api/channels")).stream()
                .filter(c -> channelId.equals(c.get("id")))
                .findFirst()
                .orElseThrow();
    }
}
