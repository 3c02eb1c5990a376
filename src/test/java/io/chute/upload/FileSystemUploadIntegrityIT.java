package io.chute.upload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link UploadIntegrityContract} on the embedded store: Chute's own object endpoint checks digests and single use. */
class FileSystemUploadIntegrityIT extends UploadIntegrityContract {

    private static final Path DATA_DIR = tempDir();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("chute.data-dir", DATA_DIR::toString);
        registry.add("chute.jobs.poll-interval", () -> "500ms");
        registry.add("chute.storage.multipart-threshold", () -> "6MB");
    }

    @Override
    protected boolean servesDigestOnDownload() {
        return true;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("chute-integrity-fs-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
