package io.chute.support;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Zipkin-compatible collector of a test's own: {@code POST /api/v2/spans} with a JSON list of
 * spans (Zipkin v2), kept in memory. Point {@code management.tracing.export.zipkin.endpoint} at
 * {@link #endpoint()}.
 */
public final class ZipkinCollector implements AutoCloseable {

    /** One reported span: what the tests look at. */
    public record Span(String traceId, String id, String parentId, String name, String kind, String service) {}

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpServer server;
    private final List<Span> spans = new ArrayList<>();

    private ZipkinCollector(HttpServer server) {
        this.server = server;
    }

    public static ZipkinCollector start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            ZipkinCollector collector = new ZipkinCollector(server);
            server.createContext("/api/v2/spans", exchange -> {
                try (InputStream body =
                        "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                                ? new GZIPInputStream(exchange.getRequestBody())
                                : exchange.getRequestBody()) {
                    collector.add(JSON.readTree(body));
                    exchange.sendResponseHeaders(202, -1);
                } catch (RuntimeException e) {
                    exchange.sendResponseHeaders(400, -1);
                } finally {
                    exchange.close();
                }
            });
            server.start();
            return collector;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private synchronized void add(JsonNode reported) {
        for (JsonNode s : reported) {
            spans.add(new Span(
                    s.get("traceId").asString(),
                    s.get("id").asString(),
                    s.path("parentId").asString(null),
                    s.path("name").asString(""),
                    s.path("kind").asString(null),
                    s.path("localEndpoint").path("serviceName").asString(null)));
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v2/spans";
    }

    public synchronized List<Span> spans() {
        return List.copyOf(spans);
    }

    /** The spans of {@code traceId}. */
    public synchronized List<Span> trace(String traceId) {
        return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
