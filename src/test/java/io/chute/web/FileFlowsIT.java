package io.chute.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.support.Browser;
import io.chute.support.EmbeddedChuteIT;
import io.chute.support.Images;
import io.chute.support.SampleFiles;
import io.chute.support.TestClient;
import io.chute.support.TestUploads;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** File flows of the web client that used to lose files, text or privacy, in a real Chromium. */
class FileFlowsIT extends EmbeddedChuteIT {

    static final long MULTIPART_THRESHOLD = 100L * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void aFileWithoutAPreviewGetsAGenericCardWithItsTypeSizeAndADownload() throws IOException {
        TestClient ana = newUser();
        Path zip = SampleFiles.zip(dir);

        try (Browser browser = signedIn(ana, "/#/files")) {
            browser.await(By.cssSelector(".dropzone"));
            browser.pick(By.id("file-input"), zip);
            WebElement card = browser.until(d -> d.findElements(WebClientIT.card("bundle.zip")).stream()
                    .filter(c -> "completed".equals(c.getAttribute("data-state")))
                    .findFirst()
                    .orElse(null));

            assertThat(card.findElement(By.cssSelector(".file-icon")).getText()).isEqualTo("ZIP");
            assertThat(card.findElement(By.cssSelector(".file-meta")).getText())
                    .contains("application/zip")
                    .contains("B");
            card.findElement(By.xpath(".//button[text()='Download']")).click();
            assertThat(Files.readAllBytes(browser.downloaded(".zip"))).isEqualTo(Files.readAllBytes(zip));
        }
    }

    @Test
    void aPhotosCardShowsTheOriginalsDimensionsNotARenditions() {
        TestClient ana = newUser();
        Path photo = Images.jpeg(dir, 2400, 1600);

        try (Browser browser = signedIn(ana, "/#/files")) {
            browser.await(By.cssSelector(".dropzone"));
            browser.pick(By.id("file-input"), photo);
            WebElement card = browser.until(
                    d -> d.findElements(WebClientIT.card(photo.getFileName().toString())).stream()
                            .filter(c -> "completed".equals(c.getAttribute("data-state")))
                            .findFirst()
                            .orElse(null));

            assertThat(card.findElement(By.cssSelector(".file-meta")).getText()).contains("2400×1600");
        }
    }

    @Test
    void leavingThePageWhileAnUploadRunsAsksFirst() throws IOException {
        TestClient ana = newUser();
        // below the multipart threshold: a single PUT, which nothing could resume after a reload
        Path archive = sparseFile(dir.resolve("archive.bin"), 16L * 1024 * 1024);

        try (Browser browser = signedIn(ana, "/#/files")) {
            browser.await(By.cssSelector(".dropzone"));
            assertThat(leavingAsks(browser)).as("nothing is uploading").isFalse();

            browser.uploadThroughput(64 * 1024);
            browser.pick(By.id("file-input"), archive);

            Boolean asked = browser.until(d -> leavingAsks(browser) ? Boolean.TRUE : null);
            assertThat(asked).as("an upload is running").isTrue();
            browser.uploadThroughput(-1);
        }
    }

    /** Whether the page asks before it is left: a cancelled {@code beforeunload}, as a browser sees it. */
    private static boolean leavingAsks(Browser browser) {
        return (Boolean)
                browser.script(
                        "const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented;");
    }

    @Test
    void textTypedWithFilesThatAreAllRefusedIsStillSent() throws IOException {
        TestClient ana = newUser();
        String channel = directChannel(ana, newUser());
        Path empty = Files.createFile(dir.resolve("empty.txt"));

        try (Browser browser = signedIn(ana, "/#/c/" + channel)) {
            browser.await(By.id("composer-input")).sendKeys("the notes follow");
            // why: the refused card shows only until the stored message replaces the pending one, which can be
            // quicker than any poll; an observer sees every change of the page
            browser.script("""
                    window.__refused = false;
                    new MutationObserver(() => {
                      for (const s of document.querySelectorAll("article[aria-label='empty.txt'] .file-status")) {
                        if (s.textContent.startsWith('Refused')) window.__refused = true;
                      }
                    }).observe(document.body, {subtree: true, childList: true, characterData: true});""");
            browser.pick(By.id("attach-input"), empty);

            browser.until(d -> Boolean.TRUE.equals(browser.script("return window.__refused")) ? true : null);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> contents(ana, channel), c -> c.contains("the notes follow"));
        }
    }

    @Test
    void anUploadInterruptedInAChannelResumesThereAndIsPostedThere() throws IOException {
        TestClient ana = newUser();
        String channel = directChannel(ana, newUser());
        Path video = sparseFile(dir.resolve("talk.mp4"), MULTIPART_THRESHOLD + 1234);
        Map<String, Object> started = ana.post(
                        "/api/uploads",
                        Map.of(
                                "fileName",
                                "talk.mp4",
                                "size",
                                Files.size(video),
                                "contentType",
                                "video/mp4",
                                "channelId",
                                channel))
                .json();
        assertThat(started).containsKey("multipart");

        try (Browser browser = signedIn(ana, "/#/files")) {
            // what the client keeps of an upload cut short by a reload
            browser.script(
                    "localStorage.setItem('chute.uploads', JSON.stringify({[arguments[0]]: {uploadId: arguments[0], "
                            + "fileName: 'talk.mp4', size: arguments[1], lastModified: arguments[2], channelId: arguments[3]}}))",
                    started.get("uploadId"),
                    Files.size(video),
                    Files.getLastModifiedTime(video).toMillis(),
                    channel);
            browser.driver().navigate().refresh();
            browser.await(By.cssSelector(".dropzone"));
            assertThat(browser.all(By.cssSelector("[aria-label='Interrupted uploads']")))
                    .as("not offered on My files")
                    .isEmpty();

            browser.open("/#/c/" + channel);
            browser.await(By.cssSelector("[aria-label='Interrupted uploads']"));
            browser.pick(By.id("resume-" + started.get("uploadId")), video);

            await().atMost(Duration.ofMinutes(2))
                    .until(() -> attachments(ana, channel), a -> a.contains(started.get("uploadId")));
            assertThat(ana.get("/api/uploads/" + started.get("uploadId")).json())
                    .containsEntry("state", "COMPLETE");
        }
    }

    @Test
    void signingOutAbortsUploadsAndLeavesNothingForTheNextAccount() {
        TestClient ana = newUser();
        Map<String, Object> started = ana.post(
                        "/api/uploads",
                        Map.of(
                                "fileName",
                                "backup.tar",
                                "size",
                                MULTIPART_THRESHOLD + 1,
                                "contentType",
                                "application/x-tar"))
                .json();

        try (Browser browser = signedIn(ana, "/#/files")) {
            browser.script(
                    "localStorage.setItem('chute.uploads', JSON.stringify({[arguments[0]]: {uploadId: arguments[0], "
                            + "fileName: 'backup.tar', size: arguments[1], lastModified: 1, channelId: null}}))",
                    started.get("uploadId"),
                    MULTIPART_THRESHOLD + 1);
            browser.driver().navigate().refresh();
            browser.await(By.cssSelector("[aria-label='Interrupted uploads']"));

            browser.click(By.id("sign-out"));
            browser.await(By.id("auth-switch"));

            assertThat(browser.script("return localStorage.getItem('chute.uploads')"))
                    .isNull();
            assertThat(ana.get("/api/uploads/" + started.get("uploadId")).json())
                    .containsEntry("state", "ABORTED");
            browser.signUp(WebClientIT.uniqueName("bo"), "Bo");
            browser.open("/#/files").await(By.cssSelector(".dropzone"));
            assertThat(browser.all(By.cssSelector("[aria-label='Interrupted uploads']")))
                    .isEmpty();
        }
    }

    @Test
    void theFilesPanelListsEveryFileEverSharedAndEveryMemberSeesTheChannelsZip() {
        TestClient ana = newUser();
        TestClient bo = newUser();
        String channel = directChannel(ana, bo);
        Map<String, Object> photo = TestUploads.acceptedJob(ana);
        TestUploads.completedJob(ana, photo);
        ana.post(
                "/api/channels/" + channel + "/messages",
                Map.of(
                        "content",
                        "the photo",
                        "clientMessageId",
                        "photo-1",
                        "attachments",
                        List.of(photo.get("uploadId"))));
        for (int i = 1; i <= 35; i++) {
            ana.post(
                    "/api/channels/" + channel + "/messages",
                    Map.of("content", "later " + i, "clientMessageId", "later-" + i));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> contents(bo, channel).contains("later 35"));

        try (Browser browser = signedIn(bo, "/#/c/" + channel)) {
            browser.awaitConnection("open");
            browser.await(By.xpath("//p[@class='text' and text()='later 35']"));
            browser.click(By.id("toggle-files"));
            browser.await(By.xpath("//aside[@id='channel-files']//label[text()='small.jpg']"));

            TestClient.Response zip = ana.post(
                    "/api/zips",
                    Map.of("uploadIds", List.of(photo.get("uploadId")), "channelId", channel, "name", "from-ana.zip"));
            assertThat(zip.status()).isEqualTo(202);

            browser.await(
                    By.xpath(
                            "//aside[@id='channel-files']//article[@data-kind='zip']//a[starts-with(normalize-space(), 'Download')]"));
        }
    }

    private Browser signedIn(TestClient user, String path) {
        Browser browser = new Browser(port);
        browser.open("/");
        browser.script("localStorage.setItem('chute.token', arguments[0])", user.token());
        browser.open(path).driver().navigate().refresh();
        browser.await(By.id("sign-out"));
        return browser;
    }

    private static String directChannel(TestClient user, TestClient other) {
        String otherId = (String) other.get("/api/me").json().get("id");
        return (String) user.post("/api/channels/direct", Map.of("userId", otherId))
                .json()
                .get("id");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> messages(TestClient user, String channel) {
        return (List<Map<String, Object>>)
                user.get("/api/channels/" + channel + "/messages").json().get("items");
    }

    private static List<Object> contents(TestClient user, String channel) {
        return messages(user, channel).stream().map(m -> m.get("content")).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> attachments(TestClient user, String channel) {
        return messages(user, channel).stream()
                .flatMap(m -> ((List<Map<String, Object>>) m.get("attachments"))
                        .stream().map(a -> a.get("uploadId")))
                .toList();
    }

    /** A large file of zeros that takes no disk space, with a fixed modification time as a browser reports it. */
    private static Path sparseFile(Path file, long size) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
        Files.setLastModifiedTime(file, FileTime.fromMillis(1_700_000_000_000L));
        return file;
    }
}
