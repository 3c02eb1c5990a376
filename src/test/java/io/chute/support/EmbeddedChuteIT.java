package io.chute.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Base of the end-to-end tests: the whole of Chute on its zero-config embedded backends
 * (embedded PostgreSQL, filesystem objects, PostgreSQL job queue) in a fresh data dir, reached
 * over real HTTP. Subclasses share one running instance.
 */
@ChuteIT({"chute.jobs.backoff-base=200ms", "chute.jobs.poll-interval=500ms", "chute.realtime.auth-timeout=2s"})
public abstract class EmbeddedChuteIT {

    @LocalServerPort
    protected int port;

    /**
     * For a test class that needs settings of its own, hence a Spring context of its own (it cannot
     * extend this class, whose context is shared): a fresh data dir and the quick job timings of the
     * shared one.
     */
    public static void ownContext(DynamicPropertyRegistry registry, String name) {
        try {
            Path data = Files.createTempDirectory("chute-" + name + "-");
            registry.add("chute.data-dir", data::toString);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        registry.add("chute.jobs.backoff-base", () -> "200ms");
        registry.add("chute.jobs.poll-interval", () -> "500ms");
    }

    protected TestClient anonymous() {
        return new TestClient(URI.create("http://localhost:" + port));
    }

    protected TestClient newUser() {
        return anonymous().registerNewUser();
    }
}
