package io.chute.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.Browser;
import io.chute.support.ChuteIT;
import io.chute.support.TestClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The web client declares the SHA-256 of every PUT it sends, in a real Chromium: the whole file's for a
 * single PUT, each part's for a multipart upload. A PUT damaged on its way (one byte flipped by a script
 * standing in for a faulty network path) is refused by storage and sent again, so the stored file is the
 * picked one; a client that declared nothing would have had the damaged bytes stored.
 */
@ChuteIT({"chute.roles=api", "chute.storage.multipart-threshold=7MB"})
class WebUploadDigestsIT {

    private static final int MiB = 1024 * 1024;

    /** Flips the first byte of the first PUT to storage whose URL contains {@code arguments[0]}, keeping its size. */
    private static final String DAMAGE_ONE_PUT = """
            const match = arguments[0];
            window.__damaged = [];
            const open = XMLHttpRequest.prototype.open;
            const send = XMLHttpRequest.prototype.send;
            XMLHttpRequest.prototype.open = function (method, url, ...rest) {
              this.__target = method + ' ' + url;
              return open.call(this, method, url, ...rest);
            };
            XMLHttpRequest.prototype.send = function (body) {
              const target = this.__target ?? '';
              if (body instanceof Blob && target.startsWith('PUT ') && target.includes('/objects/')
                  && target.includes(match) && window.__damaged.length === 0) {
                window.__damaged.push(target);
                body.slice(0, 1).arrayBuffer().then(b => {
                  const first = new Uint8Array(b);
                  first[0] ^= 0xff;
                  send.call(this, new Blob([first, body.slice(1)]));
                });
                return;
              }
              return send.call(this, body);
            };""";

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @TempDir
    Path dir;

    @Test
    void aSinglePutDeclaresTheWholeFilesDigestSoDamagedBytesAreRefusedAndSentAgain() throws Exception {
        Path file = randomFile("notes.bin", 3 * MiB);

        try (Browser browser = new Browser(port)) {
            browser.signUp("single", "Single Put");
            browser.open("/#/files").await(By.cssSelector(".dropzone"));
            browser.script(DAMAGE_ONE_PUT, "/objects/");
            browser.pick(By.id("file-input"), file);
            browser.until(d -> "pending"
                    .equals(d.findElement(WebClientIT.card("notes.bin")).getAttribute("data-state")));

            List<String> puts = objectPuts(browser);
            assertThat((List<?>) browser.script("return window.__damaged")).hasSize(1);
            assertThat(puts).as("the damaged PUT and the one sent again").hasSize(2);
            assertThat(puts).allSatisfy(url -> assertThat(url).contains("&d="));
            Map<String, Object> upload = uploadOf(browser, "notes.bin");
            assertThat(upload).containsEntry("state", "COMPLETE").containsEntry("sha256", sha256(file));
            assertThat(jdbc.sql("select declared_sha256 from uploads where id = ?::uuid")
                            .param(upload.get("uploadId"))
                            .query(String.class)
                            .single())
                    .as("the digest the client declared")
                    .isEqualTo(sha256(file));
        }
    }

    @Test
    void everyPartDeclaresItsOwnDigestSoADamagedPartIsRefusedAndSentAgain() throws Exception {
        Path file = randomFile("archive.bin", 15 * MiB + 321);

        try (Browser browser = new Browser(port)) {
            browser.signUp("parts", "Multi Part");
            browser.open("/#/files").await(By.cssSelector(".dropzone"));
            browser.script(DAMAGE_ONE_PUT, "pn=2&");
            browser.pick(By.id("file-input"), file);
            browser.until(d -> "pending"
                    .equals(d.findElement(WebClientIT.card("archive.bin")).getAttribute("data-state")));

            List<String> puts = objectPuts(browser);
            assertThat((List<?>) browser.script("return window.__damaged")).hasSize(1);
            Map<String, Object> upload = uploadOf(browser, "archive.bin");
            int partCount = jdbc.sql("select part_count from uploads where id = ?::uuid")
                    .param(upload.get("uploadId"))
                    .query(Integer.class)
                    .single();
            assertThat(partCount).as("a multipart upload").isGreaterThan(1);
            assertThat(puts).as("every part once, part 2 twice").hasSize(partCount + 1);
            assertThat(puts.stream().filter(url -> url.contains("pn=2&"))).hasSize(2);
            assertThat(puts).allSatisfy(url -> assertThat(url).contains("&d="));
            assertThat(upload).containsEntry("state", "COMPLETE").containsEntry("sha256", sha256(file));
        }
    }

    /** The URLs of the PUTs this page sent to the object store, from the browser's resource timings. */
    @SuppressWarnings("unchecked")
    private static List<String> objectPuts(Browser browser) {
        return (List<String>) browser.script("""
                return performance.getEntriesByType('resource')
                  .filter(e => e.initiatorType === 'xmlhttprequest' && e.name.includes('/objects/'))
                  .map(e => e.name)""");
    }

    /** {@code GET /api/uploads/{id}} of the signed-in user's upload of that name. */
    private Map<String, Object> uploadOf(Browser browser, String fileName) {
        TestClient client = new TestClient(URI.create("http://localhost:" + port))
                .withToken((String) browser.script("return localStorage.getItem('chute.token')"));
        String id = jdbc.sql("select id::text from uploads where file_name = ?")
                .param(fileName)
                .query(String.class)
                .single();
        return client.get("/api/uploads/" + id).json();
    }

    private Path randomFile(String name, int size) throws IOException {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return Files.write(dir.resolve(name), bytes);
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
