package io.chute.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.chute.support.Browser;
import io.chute.support.EmbeddedChuteIT;
import io.chute.support.SampleFiles;
import io.chute.support.TestClient;
import io.chute.support.TestUploads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A web app served from another origin (its own tiny server on another port) uploads straight to
 * Chute in a real Chromium: CORS on the API and on the signed object URLs is what makes it work.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext // why: its own settings, so its own context, closed when the class is done
class OtherOriginUploadIT {

    static final HttpServer APP = appServer();
    static final String APP_ORIGIN = "http://127.0.0.1:" + APP.getAddress().getPort();
    static final long MiB = 1024 * 1024;

    @LocalServerPort
    int port;

    @TempDir
    Path dir;

    @DynamicPropertySource
    static void crossOrigin(DynamicPropertyRegistry registry) {
        EmbeddedChuteIT.ownContext(registry, "other-origin");
        registry.add("chute.cors.allowed-origins", () -> APP_ORIGIN);
        registry.add("chute.storage.multipart-threshold", () -> "6MB");
    }

    @AfterAll
    static void stopApp() {
        APP.stop(0);
    }

    @Test
    void aPageOnAnotherOriginUploadsByOneSignedPut() {
        TestClient alice = chute().registerNewUser();
        Path notes = SampleFiles.notes(dir);

        try (Browser browser = new Browser(port)) {
            openApp(browser, alice, 0);
            browser.pick(By.id("file"), notes);
            String uploadId = awaitLog(browser, "completed (\\S+)");

            assertThat(log(browser)).contains("put \"");
            assertDownloadsAsSent(alice, uploadId, notes);
        }
    }

    @Test
    void aPageOnAnotherOriginUploadsByPartsAndResumesAfterAReload() throws IOException {
        TestClient bob = chute().registerNewUser();
        Path video = SampleFiles.unknownBinary(dir, (int) (12 * MiB + 123));

        try (Browser browser = new Browser(port)) {
            openApp(browser, bob, 1);
            browser.pick(By.id("file"), video);
            String interrupted = awaitLog(browser, "interrupted (\\S+) after 1 parts");

            openApp(browser, bob, 0); // the reload: nothing survives but the upload id in localStorage
            browser.pick(By.id("file"), video);
            String completed = awaitLog(browser, "completed (\\S+)");

            assertThat(completed).isEqualTo(interrupted);
            assertThat(log(browser)).contains("resuming " + interrupted + " with 1 of 3 parts stored");
            assertDownloadsAsSent(bob, completed, video);
        }
    }

    private void openApp(Browser browser, TestClient user, int stopAfter) {
        browser.driver()
                .get(APP_ORIGIN + "/uploader.html?chute=" + encode("http://localhost:" + port) + "&token="
                        + encode(user.token()) + "&stopAfter=" + stopAfter);
        browser.await(By.id("file"));
    }

    private static String awaitLog(Browser browser, String regex) {
        Pattern pattern = Pattern.compile(regex);
        return browser.until(d -> {
            String log = log(browser);
            assertThat(log).doesNotContain("error");
            Matcher m = pattern.matcher(log);
            return m.find() ? m.group(1) : null;
        });
    }

    private static String log(Browser browser) {
        return browser.driver().findElement(By.id("log")).getText();
    }

    private static void assertDownloadsAsSent(TestClient user, String uploadId, Path file) {
        Map<String, Object> upload = user.get("/api/uploads/" + uploadId).json();
        TestUploads.completedJob(
                user, Map.of("statusUrl", "/api/jobs/" + upload.get("jobId"), "jobId", upload.get("jobId")));
        HttpResponse<byte[]> original =
                user.fetch(user.get("/api/uploads/" + uploadId + "/download").header("Location"));
        try {
            assertThat(original.body()).isEqualTo(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private TestClient chute() {
        return new TestClient(URI.create("http://localhost:" + port));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** The other origin: serves the uploader page and nothing else. */
    private static HttpServer appServer() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/uploader.html", exchange -> {
                try (InputStream page = OtherOriginUploadIT.class.getResourceAsStream("other-origin-uploader.html");
                        OutputStream out = exchange.getResponseBody()) {
                    byte[] body = page.readAllBytes();
                    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                    exchange.sendResponseHeaders(200, body.length);
                    out.write(body);
                }
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
