package io.chute.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.support.Browser;
import io.chute.support.EmbeddedChuteIT;
import io.chute.support.Images;
import io.chute.support.Pdfs;
import io.chute.support.TestClient;
import io.chute.upload.UploadFlowTestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
            boolean loaded = !thumbs.isEmpty() && Boolean.TRUE.equals(browser.script(
                    "return arguments[0].complete && arguments[0].naturalWidth > 0", thumbs.getFirst()));
            return loaded && "completed".equals(c.getAttribute("data-state")) ? c : null;
        });
    }

    @Test
    void filesUploadWithProgressTurnIntoPreviewsAndZipIntoADownload() throws IOException {
        Path photo = Images.jpeg(dir, 1600, 1200);
        Path pdf = Pdfs.aPdf().withPages("First page", "Second page", "Third page").writeTo(dir);
        String photoName = photo.getFileName().toString();
        String pdfName = pdf.getFileName().toString();

        try (Browser ana = new Browser(port)) {
            ana.signUp(uniqueName("ana"), "Ana Lima");
            ana.open("/#/files").await(By.cssSelector(".dropzone"));
            ana.awaitConnection("open");
            ana.pick(By.id("file-input"), photo, pdf);

            // each file has its own card and progress bar from the start
            ana.until(d -> d.findElements(By.cssSelector("#file-grid .file-card [role=progressbar]")).size() >= 2);
            WebElement photoCard = awaitPreview(ana, photoName);
            WebElement pdfCard = awaitPreview(ana, pdfName);
            assertThat(photoCard.findElement(By.cssSelector(".file-status")).getText()).isEqualTo("Ready");
            assertThat(photoCard.findElement(By.cssSelector(".file-meta")).getText()).contains("1600×1200");
            assertThat(pdfCard.findElement(By.cssSelector(".file-meta")).getText()).contains("3 pages");
            ana.screenshot("files");

            // the thumbnail opens the medium rendition
            photoCard.findElement(By.cssSelector(".visual-button")).click();
            WebElement large = ana.await(By.cssSelector("dialog.lightbox[open] img.lightbox-image"));
            ana.until(d -> Boolean.TRUE.equals(ana.script("return arguments[0].complete && arguments[0].naturalWidth === 800", large)));
            ana.screenshot("preview");
            ana.click(By.cssSelector("dialog.lightbox button"));
            ana.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("dialog.lightbox[open]")));

            // the original downloads through /api/uploads/{id}/download with the bearer token
            photoCard.findElement(By.xpath(".//button[normalize-space()='Download']")).click();
            Path original = ana.downloaded(".jpg");
            assertThat(Files.readAllBytes(original)).isEqualTo(Files.readAllBytes(photo));

            // both into one zip, with its own card, progress and link
            photoCard.findElement(By.cssSelector("input.file-select")).click();
            pdfCard.findElement(By.cssSelector("input.file-select")).click();
            ana.click(By.id("zip-selected"));
            WebElement link = ana.await(By.xpath("//article[@data-kind='zip']//a[starts-with(normalize-space(), 'Download')]"));
            link.click();
            assertThat(zipEntries(ana.downloaded(".zip"))).containsExactlyInAnyOrder(photoName, pdfName);

            // a refused file says why, in the server's words
            ana.drop(By.id("main"), "holiday.jpg", "image/jpeg", "these bytes are not a picture at all".repeat(40).getBytes());
            WebElement refused = ana.until(d -> {
                List<WebElement> cards = d.findElements(card("holiday.jpg"));
                return cards.isEmpty() || !"error".equals(cards.getFirst().getAttribute("data-state")) ? null : cards.getFirst();
            });
            assertThat(refused.findElement(By.cssSelector(".file-status")).getText()).startsWith("Refused: ").hasSizeGreaterThan(20);
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
            String jobUrl = (String) UploadFlowTestSupport.acceptedJob(api, photo).get("statusUrl");
            await().atMost(Duration.ofSeconds(60)).until(() -> api.get(jobUrl).json().get("status"), "COMPLETED"::equals);

            bea.network(true);
            bea.awaitConnection("open");
            // My jobs does not poll its list: the row can only come from the replayed job.updated events
            bea.await(By.xpath("//tr[@data-status='COMPLETED'][.//span[text()='" + photo.getFileName() + "']]"));
        }
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
