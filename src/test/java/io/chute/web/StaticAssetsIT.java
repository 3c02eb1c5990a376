package io.chute.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.EmbeddedChuteIT;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The web client's assets travel compressed and are revalidated rather than downloaded again. */
class StaticAssetsIT extends EmbeddedChuteIT {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void scriptsAndStylesAreGzippedAndRevalidated() throws Exception {
        for (String path : new String[] {"/js/chat/message-list.js", "/app.css"}) {
            HttpResponse<byte[]> plain = get(path);
            HttpResponse<byte[]> gzipped = get(path, "Accept-Encoding", "gzip");
            assertThat(gzipped.headers().firstValue("Content-Encoding"))
                    .as(path)
                    .hasValue("gzip");
            assertThat(gzipped.body().length).as(path).isLessThan(plain.body().length / 2);
            assertThat(plain.headers().firstValue("Cache-Control").orElse(""))
                    .as(path)
                    .contains("no-cache");
            String lastModified = plain.headers().firstValue("Last-Modified").orElseThrow();
            assertThat(get(path, "If-Modified-Since", lastModified).statusCode())
                    .as(path)
                    .isEqualTo(304);
        }
    }
}
