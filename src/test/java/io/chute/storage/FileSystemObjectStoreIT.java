package io.chute.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.ChuteIT;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The filesystem adapter, inside a running Chute: its signed URLs are served by Chute's own
 * object endpoint ({@link ObjectController}), so that is what the HTTP half of the contract hits.
 */
@ChuteIT
class FileSystemObjectStoreIT extends ObjectStoreContract {

    @LocalServerPort
    private int port;

    @Autowired
    private ObjectStore store;

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
        URI get = reachable(
                store.presignGet(key, "application/octet-stream", "digested.bin", hex, Duration.ofMinutes(1)));

        HttpResponse<Void> answer = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(get).GET().build(), HttpResponse.BodyHandlers.discarding());

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Repr-Digest"))
                .contains("sha-256=:"
                        + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex)) + ":");
        URI tampered = URI.create(get.toString().replace("d=" + hex, "d=" + sha256Of(41, 3000)));
        assertThat(HttpClient.newHttpClient()
                        .send(HttpRequest.newBuilder(tampered).GET().build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode())
                .isEqualTo(403);
    }
}
