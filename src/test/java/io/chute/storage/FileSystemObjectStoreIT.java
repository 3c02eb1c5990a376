package io.chute.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The filesystem adapter, inside a running Chute: its signed URLs are served by Chute's own
 * object endpoint ({@link ObjectController}), so that is what the HTTP half of the contract hits.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class FileSystemObjectStoreIT extends ObjectStoreContract {

    private static final Path DATA_DIR = tempDir();

    @LocalServerPort
    private int port;

    @Autowired
    private ObjectStore store;

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) {
        registry.add("chute.data-dir", DATA_DIR::toString);
    }

    @Override
    protected ObjectStore store() {
        return store;
    }

    @Override
    protected URI reachable(URI signedUrl) {
        return URI.create("http://localhost:" + port).resolve(signedUrl);
    }

    @Test
    void aSignedGetOfAnObjectWithAKnownDigestCarriesItAsReprDigest() throws Exception {
        String key = newKey("digested.bin");
        store.write(key, new GeneratedBytes(40, 3000), 3000);
        String hex = sha256Of(40, 3000);
        URI get = reachable(store.presignGet(key, "application/octet-stream", "digested.bin", hex, Duration.ofMinutes(1)));

        HttpResponse<Void> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(get).GET().build(),
                HttpResponse.BodyHandlers.discarding());

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Repr-Digest"))
                .contains("sha-256=:" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex)) + ":");
        URI tampered = URI.create(get.toString().replace("d=" + hex, "d=" + sha256Of(41, 3000)));
        assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(tampered).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(403);
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("chute-fs-store-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
