package io.chute.upload;

import io.chute.support.DataDirs;
import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link UploadIntegrityContract} on the embedded store: Chute's own object endpoint checks digests and single use. */
class FileSystemUploadIntegrityIT extends UploadIntegrityContract {

    private static final Path DATA_DIR = DataDirs.fresh("chute-integrity-fs-");

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

    @Override
    protected String digestMismatchMarker() {
        return "/digest-mismatch"; // the problem type Chute gives it
    }
}
