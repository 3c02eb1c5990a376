package io.chute.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the end-to-end tests: the whole of Chute on its zero-config embedded backends
 * (embedded PostgreSQL, filesystem objects, PostgreSQL job queue) in a fresh data dir, reached
 * over real HTTP. Subclasses share one running instance.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class EmbeddedChuteIT {

    protected static final Path DATA_DIR = tempDir();

    @LocalServerPort
    protected int port;

    @DynamicPropertySource
    static void chuteProperties(DynamicPropertyRegistry registry) {
        registry.add("chute.data-dir", DATA_DIR::toString);
        registry.add("chute.jobs.backoff-base", () -> "200ms");
        registry.add("chute.jobs.poll-interval", () -> "500ms");
        registry.add("chute.realtime.auth-timeout", () -> "2s");
    }

    /**
     * For a test class that needs settings of its own, hence a Spring context of its own (it cannot
     * extend this class, whose context owns {@link #DATA_DIR}): a fresh data dir and the quick job
     * timings of the shared one.
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

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("chute-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
