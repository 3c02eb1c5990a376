package io.chute.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;

/** Talks to a running Chute over real HTTP, as a client would. */
public final class TestClient {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String token;

    public TestClient(URI base) {
        this(base, null);
    }

    private TestClient(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    public record Response(int status, Map<String, List<String>> headers, String body) {
        public Map<String, Object> json() {
            return TestClient.json(body);
        }

        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst())
                    .findFirst()
                    .orElse(null);
        }

        public String contentType() {
            return header("Content-Type");
        }
    }

    /** Registers a fresh user with a unique name and returns a client that carries their token. */
    public TestClient registerNewUser() {
        return registerAs("u" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }

    /** Registers {@code username} (password {@code password-<username>}) and returns a client that carries their token. */
    public TestClient registerAs(String username) {
        Response r = post("/api/auth/register", Map.of("username", username, "password", "password-" + username));
        if (r.status() != 201) {
            throw new IllegalStateException("register failed: " + r);
        }
        return withToken((String) r.json().get("token"));
    }

    /** The same user, talking to another Chute node. */
    public TestClient withBase(URI newBase) {
        return new TestClient(newBase, token);
    }

    public TestClient withToken(String newToken) {
        return new TestClient(base, newToken);
    }

    public String token() {
        return token;
    }

    public URI base() {
        return base;
    }

    public Response get(String path) {
        return send(request(path).GET());
    }

    public Response post(String path, Object body) {
        return send(request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    public Response patchJson(String path, Object body) {
        return send(request(path)
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    public Response putJson(String path, Object body) {
        return send(request(path)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body == null ? "" : JSON.writeValueAsString(body))));
    }

    public Response postRaw(String path, String contentType, HttpRequest.BodyPublisher body) {
        return send(request(path).header("Content-Type", contentType).POST(body));
    }

    public Response delete(String path) {
        return send(request(path).DELETE());
    }

    /** PUTs a file to an absolute (signed) URL, with the headers the signing answer asked for. */
    public Response put(String url, Map<String, String> headers, Path file) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5));
        headers.forEach(builder::header);
        try {
            return send(builder.PUT(HttpRequest.BodyPublishers.ofFile(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Response putBytes(String url, Map<String, String> headers, byte[] body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(1));
        headers.forEach(builder::header);
        return send(builder.PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** GETs an absolute URL without the bearer token (signed URLs need none). */
    public HttpResponse<byte[]> fetch(String url) {
        try {
            return http.send(
                    HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> json(String body) {
        return JSON.readValue(body, Map.class);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(5));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private Response send(HttpRequest.Builder builder) {
        try {
            HttpResponse<String> r =
                    http.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(r.statusCode(), r.headers().map(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
