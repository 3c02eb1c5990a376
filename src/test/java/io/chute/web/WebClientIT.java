package io.chute.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.chute.support.Browser;
import io.chute.support.EmbeddedChuteIT;
import io.chute.support.Images;
import io.chute.support.Pdfs;
import io.chute.support.TestClient;
import io.chute.support.TestUploads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** The web client in a real headless Chromium against the whole of Chute. */
class WebClientIT extends EmbeddedChuteIT {

    @TempDir
    Path dir;

    static String uniqueName(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Bytes of no known type (text would be accepted: it becomes a text preview). */
    static byte[] notAPicture() {
        byte[] noise = new byte[1500];
        new java.util.Random(3).nextBytes(noise);
        return noise;
    }

    static By card(String fileName) {
        return By.cssSelector("article.file-card[aria-label='" + fileName + "']");
    }

    /** Waits until the card of that file shows a loaded preview image, and returns the card. */
    static WebElement awaitPreview(Browser browser, String fileName) {
        return browser.until(d -> {
            List<WebElement> cards = d.findElements(card(fileName));
            if (cards.isEmpty()) {
                return null;
            }
            WebElement c = cards.getFirst();
            assertThat(c.getAttribute("data-state")).as("state of " + fileName).isNotIn("error", "rejected", "failed");
            List<WebElement> thumbs = c.findElements(By.cssSelector("img.thumb"));
            boolean loaded = !thumbs.isEmpty()
                    && Boolean.TRUE.equals(browser.script(
                            "return arguments[0].complete && arguments[0].naturalWidth > 0", thumbs.getFirst()));
            return loaded && "completed".equals(c.getAttribute("data-state")) ? c : null;
        });
    }

    @Test
    void filesUploadWithProgressTurnIntoPreviewsAndZipIntoADownload() throws IOException {
        Path photo = Images.jpeg(dir, 1600, 1200);
        Path pdf =
                Pdfs.aPdf().withPages("First page", "Second page", "Third page").writeTo(dir);
        String photoName = photo.getFileName().toString();
        String pdfName = pdf.getFileName().toString();

        try (Browser ana = new Browser(port)) {
            ana.signUp(uniqueName("ana"), "Ana Lima");
            ana.open("/#/files").await(By.cssSelector(".dropzone"));
            ana.awaitConnection("open");
            ana.pick(By.id("file-input"), photo, pdf);

            // each file has its own card and progress bar from the start
            ana.until(d -> d.findElements(By.cssSelector("#file-grid .file-card [role=progressbar]"))
                            .size()
                    >= 2);
            WebElement photoCard = awaitPreview(ana, photoName);
            WebElement pdfCard = awaitPreview(ana, pdfName);
            assertThat(photoCard.findElement(By.cssSelector(".file-status")).getText())
                    .isEqualTo("Ready");
            assertThat(photoCard.findElement(By.cssSelector(".file-meta")).getText())
                    .contains("1600×1200");
            assertThat(pdfCard.findElement(By.cssSelector(".file-meta")).getText())
                    .contains("3 pages");
            ana.screenshot("files");

            // the thumbnail opens the medium rendition
            photoCard.findElement(By.cssSelector(".visual-button")).click();
            WebElement large = ana.await(By.cssSelector("dialog.lightbox[open] img.lightbox-image"));
            ana.until(d -> Boolean.TRUE.equals(
                    ana.script("return arguments[0].complete && arguments[0].naturalWidth === 800", large)));
            ana.screenshot("preview");
            ana.click(By.cssSelector("dialog.lightbox button"));
            ana.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("dialog.lightbox[open]")));

            // the original downloads through /api/uploads/{id}/download with the bearer token
            photoCard
                    .findElement(By.xpath(".//button[normalize-space()='Download']"))
                    .click();
            Path original = ana.downloaded(".jpg");
            assertThat(Files.readAllBytes(original)).isEqualTo(Files.readAllBytes(photo));

            // both into one zip, with its own card, progress and link
            photoCard.findElement(By.cssSelector("input.file-select")).click();
            pdfCard.findElement(By.cssSelector("input.file-select")).click();
            ana.click(By.id("zip-selected"));
            WebElement link =
                    ana.await(By.xpath("//article[@data-kind='zip']//a[starts-with(normalize-space(), 'Download')]"));
            // WCAG 2.5.3: what a screen reader announces starts with what a sighted person reads
            assertThat(link.getAccessibleName()).startsWith(link.getText().strip());
            link.click();
            assertThat(zipEntries(ana.downloaded(".zip"))).containsExactlyInAnyOrder(photoName, pdfName);

            // a refused file says why, in the server's words
            String disguised = "invoice\u202Egpj.exe";
            ana.drop(
                    By.id("main"),
                    disguised,
                    "image/jpeg",
                    "these bytes are not a picture at all".repeat(40).getBytes());
            WebElement refused = ana.until(d -> {
                List<WebElement> cards = d.findElements(card(disguised));
                return cards.isEmpty() || !"error".equals(cards.getFirst().getAttribute("data-state"))
                        ? null
                        : cards.getFirst();
            });
            assertThat(refused.findElement(By.cssSelector(".file-status")).getText())
                    .startsWith("Refused: ")
                    .contains("fileName");
            ana.screenshot("files-refused");
        }
    }

    @Test
    void theLiveConnectionComesBackByItselfAndReplaysWhatItMissed() {
        try (Browser bea = new Browser(port)) {
            bea.signUp(uniqueName("bea"), "Bea");
            bea.open("/#/jobs").await(By.cssSelector("table.table"));
            bea.awaitConnection("open");
            TestClient api = anonymous().withToken((String) bea.script("return localStorage.getItem('chute.token')"));

            bea.network(false);
            bea.until(d -> !"open".equals(d.findElement(By.id("connection")).getAttribute("data-state")));
            // while the browser is away, a file of Bea's is uploaded elsewhere and processed
            Path photo = Images.jpeg(dir, 300, 200);
            String jobUrl = (String) TestUploads.acceptedJob(api, photo).get("statusUrl");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> api.get(jobUrl).json().get("status"), "COMPLETED"::equals);

            bea.network(true);
            bea.awaitConnection("open");
            // My jobs does not poll its list: the row can only come from the replayed job.updated events
            bea.await(By.xpath("//tr[@data-status='COMPLETED'][.//span[text()='" + photo.getFileName() + "']]"));
        }
    }

    @Test
    void twoPeopleChatShareFilesThatTurnIntoPreviewsAndZipThem() throws IOException {
        assumeChat();
        Path photo = Images.jpeg(dir, 1200, 800);
        Path pdf = Pdfs.aPdf().withPages("Agenda", "Minutes").writeTo(dir);
        String photoName = photo.getFileName().toString();
        String pdfName = pdf.getFileName().toString();
        String boName = uniqueName("bo");
        String hostile = "<img src=x onerror=alert(1)>";

        try (Browser bo = new Browser(port);
                Browser ana = new Browser(port)) {
            bo.signUp(boName, "Bo Park");
            ana.signUp(uniqueName("ana"), "Ana Lima");

            // Ana starts a direct conversation with Bo, who sees it arrive in his channel list
            ana.click(By.id("new-direct"));
            ana.type(By.id("user-query"), boName);
            ana.click(By.xpath("//ul[@class='user-results']//label[contains(., '" + boName + "')]"));
            ana.click(By.xpath("//dialog//button[text()='Open conversation']"));
            ana.await(By.id("composer-input"));
            ana.awaitConnection("open");
            bo.awaitConnection("open");

            ana.type(By.id("composer-input"), "Hello Bo, the files for tomorrow:\n");
            bo.click(By.xpath("//a[contains(@class,'channel-link')][.//span[text()='Ana Lima']]"));
            bo.await(
                    By.xpath("//article[contains(@class,'message')]//p[@class='text' and starts-with(., 'Hello Bo')]"));

            // typing shows on the other side while Ana writes
            ana.driver().findElement(By.id("composer-input")).sendKeys("one more thing");
            bo.until(d -> d.findElement(By.id("typing")).getText().equals("Ana Lima is typing…"));
            ana.driver().findElement(By.id("composer-input")).clear();

            // Ana drops a photo and a PDF; Bo sees them being processed, then their previews, without reloading
            ana.pick(By.id("attach-input"), photo, pdf);
            ana.until(d -> d.findElements(By.cssSelector(".message.mine .file-card [role=progressbar]"))
                            .size()
                    >= 2);
            bo.await(card(photoName));
            bo.await(card(pdfName));
            WebElement seenPhoto = awaitPreview(bo, photoName);
            WebElement seenPdf = awaitPreview(bo, pdfName);
            bo.until(d ->
                    seenPdf.findElement(By.cssSelector(".file-meta")).getText().contains("2 pages"));
            assertThat(seenPhoto.findElement(By.cssSelector(".file-meta")).getText())
                    .contains("1200×800");
            awaitPreview(ana, photoName);

            // Bo has read it all: Ana's messages say so
            ana.until(d -> d.findElements(By.cssSelector(".message.mine .receipt")).stream()
                    .allMatch(r -> "Read".equals(r.getAttribute("data-receipt"))));

            // markup in a message is text, never HTML
            bo.type(By.id("composer-input"), hostile + "\n");
            WebElement text = ana.await(By.xpath(
                    "//article[contains(@class,'message') and not(contains(@class,'mine'))]//p[@class='text']"));
            ana.until(d -> hostile.equals(text.getText()));
            assertThat(text.findElements(By.tagName("img"))).isEmpty();
            assertThat(ana.alertShown()).isFalse();
            assertThat(bo.alertShown()).isFalse();
            // Bo is in Ana's direct channel: his presence shows, from the channel's members and then presence events
            ana.until(d -> "online"
                    .equals(d.findElement(By.cssSelector(".channel-heading .presence"))
                            .getAttribute("aria-label")));
            bo.screenshot("chat");
            ana.screenshot("chat-sender");

            // Bo zips both files of the channel and downloads the archive
            bo.click(By.id("toggle-files"));
            bo.click(By.xpath("//aside[@id='channel-files']//label[text()='" + photoName + "']"));
            bo.click(By.xpath("//aside[@id='channel-files']//label[text()='" + pdfName + "']"));
            bo.click(By.id("zip-channel"));
            bo.await(
                            By.xpath(
                                    "//aside[@id='channel-files']//article[@data-kind='zip']//a[starts-with(normalize-space(), 'Download')]"))
                    .click();
            assertThat(zipEntries(bo.downloaded(".zip"))).containsExactlyInAnyOrder(photoName, pdfName);
            bo.screenshot("chat-files");

            // away from the channel, Ana's list counts what she has not read
            ana.click(By.id("nav-files"));
            bo.type(By.id("composer-input"), "Got them, thanks!\n");
            assertThat(ana.await(By.cssSelector(".channel-link .unread")).getText())
                    .isEqualTo("1");
            assertThat(ana.await(By.cssSelector(".channel-link .presence")).getAttribute("aria-label"))
                    .isEqualTo("online");
        }
    }

    @Test
    void aGroupChannelIsCreatedAndGrowsByAMember() {
        assumeChat();
        TestClient bo = newUser();
        TestClient cy = newUser();
        String boName = (String) bo.get("/api/me").json().get("username");
        String cyName = (String) cy.get("/api/me").json().get("username");
        try (Browser ana = new Browser(port)) {
            ana.signUp(uniqueName("ana"), "Ana Lima");
            ana.click(By.id("new-group"));
            ana.type(By.id("channel-name"), "Launch plans");
            ana.type(By.id("user-query"), boName);
            ana.click(By.xpath("//ul[@class='user-results']//label[contains(., '" + boName + "')]"));
            ana.click(By.xpath("//dialog//button[text()='Create channel']"));
            assertThat(ana.await(By.cssSelector(".channel-heading h1")).getText())
                    .isEqualTo("Launch plans");
            assertThat(ana.await(By.cssSelector(".channel-heading .members")).getText())
                    .isEqualTo("2 members");

            ana.click(By.id("add-member"));
            ana.type(By.id("user-query"), cyName);
            ana.click(By.xpath("//ul[@class='user-results']//label[contains(., '" + cyName + "')]"));
            ana.click(By.xpath("//dialog//button[text()='Add']"));
            ana.until(d -> d.findElement(By.cssSelector(".channel-heading .members"))
                    .getText()
                    .equals("3 members"));
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> channels =
                (List<Map<String, Object>>) cy.get("/api/channels").json().get("items");
        assertThat(channels).singleElement().satisfies(c -> assertThat(c).containsEntry("name", "Launch plans"));
    }

    @Test
    void olderMessagesLoadWhenScrollingUp() {
        assumeChat();
        TestClient ana = newUser();
        TestClient bo = newUser();
        String boId = (String) ((Map<?, ?>) bo.get("/api/me").json()).get("id");
        String channel = (String)
                ana.post("/api/channels/direct", Map.of("userId", boId)).json().get("id");
        for (int i = 1; i <= 45; i++) {
            ana.post(
                    "/api/channels/" + channel + "/messages",
                    Map.of("content", "note " + i, "clientMessageId", "history-" + i));
        }
        try (Browser browser = new Browser(port)) {
            browser.open("/");
            browser.script("localStorage.setItem('chute.token', arguments[0])", bo.token());
            browser.open("/#/c/" + channel).driver().navigate().refresh();
            browser.await(By.xpath("//p[@class='text' and text()='note 45']"));
            assertThat(browser.all(By.xpath("//p[@class='text' and text()='note 1']")))
                    .isEmpty();
            browser.script("document.querySelector('.messages').scrollTop = 0");
            browser.await(By.xpath("//p[@class='text' and text()='note 1']"));
            browser.await(By.xpath(
                    "//p[contains(@class,'history') and text()='This is the beginning of the conversation.']"));
            browser.phoneSize();
            browser.until(ExpectedConditions.invisibilityOfElementLocated(By.id("sidebar")));
            assertThat((Long) browser.script("return document.documentElement.scrollWidth"))
                    .isLessThanOrEqualTo(375L);
            browser.screenshot("chat-phone");
        }
    }

    /** The chat tests run where this Chute has the chat API (the web client hides chat without it). */
    private void assumeChat() {
        assumeThat(newUser().get("/api/channels").status())
                .as("GET /api/channels")
                .isEqualTo(200);
    }

    static List<String> zipEntries(Path zip) throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                names.add(e.getName());
            }
        }
        return names;
    }
}
