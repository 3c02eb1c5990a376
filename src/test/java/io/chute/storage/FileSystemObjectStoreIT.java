package io.chute.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("chute-fs-store-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
