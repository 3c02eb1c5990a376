package io.chute.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.Browser;
import io.chute.support.ChuteIT;
import io.chute.support.Images;
import io.chute.support.TestClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The web client's multipart uploads (with a resume after a reload), "My jobs" and the admin
 * page, on an api-only Chute (no worker, so jobs wait where the test can act on them) with a
 * fresh database (the first account is the admin) and a 6 MB multipart threshold.
 */
@ChuteIT({"chute.roles=api", "chute.storage.multipart-threshold=6MB"})
class WebJobsIT {

    private static final int MiB = 1024 * 1024;

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @TempDir
    Path dir;

    /** PUTs this page load sent to the object store, counted from the browser's resource timings. */
    private static long objectPuts(Browser browser) {
        return (Long) browser.script("""
                return performance.getEntriesByType('resource')
                  .filter(e => e.initiatorType === 'xmlhttprequest' && e.name.includes('/objects/')).length""");
    }

    private static WebElement jobRow(Browser browser, String fileName, String status) {
        return browser.await(By.xpath(
                "//tr[@data-status='" + status + "'][.//span[@class='file-name' and text()='" + fileName + "']]"));
    }

    @Test
    void multipartUploadsResumeAndTheJobsAndAdminPagesControlTheQueue() throws IOException {
        Path big = Images.paddedJpeg(dir, 11L * MiB);
        Path interrupted = Images.paddedJpeg(dir, 11L * MiB);
        String bigName = big.getFileName().toString();
        String interruptedName = interrupted.getFileName().toString();

        try (Browser boss = new Browser(port)) {
            boss.signUp("boss", "The Boss");
            assertThat(boss.await(By.id("nav-admin")).getText()).isEqualTo("Admin");

            // above the threshold: three signed parts, sent in parallel, completed with their ETags
            boss.open("/#/files").pick(By.id("file-input"), big);
            boss.until(d ->
                    "pending".equals(d.findElement(WebClientIT.card(bigName)).getAttribute("data-state")));
            assertThat(objectPuts(boss)).isEqualTo(3);

            // a multipart upload cut short by a reload, part 1 already stored: picking the same file resumes it
            TestClient client = new TestClient(URI.create("http://localhost:" + port))
                    .withToken((String) boss.script("return localStorage.getItem('chute.token')"));
            Map<String, Object> plan = client.post(
                            "/api/uploads",
                            Map.of(
                                    "fileName",
                                    interruptedName,
                                    "size",
                                    Files.size(interrupted),
                                    "contentType",
                                    "image/jpeg"))
                    .json();
            String uploadId = (String) plan.get("uploadId");
            @SuppressWarnings("unchecked")
            Map<String, Object> part = ((List<Map<String, Object>>)
                            client.post("/api/uploads/" + uploadId + "/parts", Map.of("partNumbers", List.of(1)))
                                    .json()
                                    .get("parts"))
                    .getFirst();
            @SuppressWarnings("unchecked")
            Map<String, String> headers = (Map<String, String>) part.get("headers");
            assertThat(client.putBytes(
                                    (String) part.get("url"),
                                    headers,
                                    Arrays.copyOf(Files.readAllBytes(interrupted), 5 * MiB))
                            .status())
                    .isEqualTo(200);
            boss.script(
                    "localStorage.setItem('chute.uploads', JSON.stringify({[arguments[0]]: {uploadId: arguments[0],"
                            + " fileName: arguments[1], size: arguments[2], lastModified: arguments[3], channelId: null}}))",
                    uploadId,
                    interruptedName,
                    Files.size(interrupted),
                    Files.getLastModifiedTime(interrupted).toMillis());
            boss.driver().navigate().refresh();
            assertThat(boss.await(By.cssSelector("section.notice")).getText())
                    .contains("Interrupted uploads", interruptedName);
            boss.screenshot("files-resume");
            boss.pick(By.id("resume-" + uploadId), interrupted);
            boss.until(d -> "pending"
                    .equals(d.findElement(WebClientIT.card(interruptedName)).getAttribute("data-state")));
            assertThat(objectPuts(boss)).as("only parts 2 and 3 are sent again").isEqualTo(2);
            assertThat(client.get("/api/uploads/" + uploadId).json()).containsEntry("state", "COMPLETE");
            assertThat(boss.script("return localStorage.getItem('chute.uploads')"))
                    .isEqualTo("{}");

            // My jobs: cancel one that waits, then retry it
            boss.click(By.id("nav-jobs"));
            jobRow(boss, interruptedName, "PENDING");
            jobRow(boss, bigName, "PENDING")
                    .findElement(By.xpath(".//button[text()='Cancel']"))
                    .click();
            jobRow(boss, bigName, "CANCELLED")
                    .findElement(By.xpath(".//button[text()='Retry']"))
                    .click();
            jobRow(boss, bigName, "PENDING");
            boss.screenshot("jobs");

            // a job that used up its attempts is in the admin's failed set, with its error, until retried
            jdbc.sql("""
                    update jobs set status = 'FAILED', error_message = 'the worker ran out of disk space',
                      attempts = max_attempts, failed_at = now() where upload_id = ?""").param(java.util.UUID.fromString(uploadId)).update();
            boss.click(By.xpath("//button[contains(@class,'segment') and text()='Failed']"));
            jobRow(boss, interruptedName, "FAILED");
            assertThat(boss.all(By.cssSelector("tbody tr"))).hasSize(1);

            boss.click(By.id("nav-admin"));
            WebElement imageQueue = boss.await(By.cssSelector("#queues tr[data-type='image']"));
            assertThat(imageQueue
                            .findElement(By.cssSelector("td[data-label='Pending']"))
                            .getText())
                    .isEqualTo("1");
            assertThat(imageQueue
                            .findElement(By.cssSelector("td[data-label='Failed']"))
                            .getText())
                    .isEqualTo("1");
            WebElement failed = jobRow(boss, interruptedName, "FAILED");
            assertThat(failed.getText()).contains("the worker ran out of disk space");
            boss.screenshot("admin");
            failed.findElement(By.xpath(".//button[text()='Retry']")).click();
            jobRow(boss, interruptedName, "PENDING");
            boss.until(d -> "2"
                    .equals(d.findElement(By.cssSelector("#queues tr[data-type='image'] td[data-label='Pending']"))
                            .getText()));

            // phone width: no sideways scrolling, the menu opens from the top bar
            boss.phoneSize().open("/#/files").await(By.cssSelector(".file-card"));
            assertThat((Long) boss.script("return document.documentElement.scrollWidth"))
                    .isLessThanOrEqualTo(375L);
            boss.screenshot("files-phone");
            boss.click(By.cssSelector(".menu-button"));
            WebElement menu = boss.await(By.id("sidebar"));
            boss.until(d -> menu.getRect().getX() == 0);
            boss.screenshot("menu-phone");

            // a token the server no longer accepts leads back to sign-in
            boss.script("localStorage.setItem('chute.token', 'not-a-token')");
            boss.driver().navigate().refresh();
            boss.await(By.id("auth-submit"));
        }
    }
}
