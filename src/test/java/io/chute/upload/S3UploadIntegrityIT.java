package io.chute.upload;

import static org.awaitility.Awaitility.await;

import io.chute.support.DataDirs;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@link UploadIntegrityContract} on S3 (s3proxy in-process): the signed {@code x-amz-checksum-sha256} and
 * {@code If-None-Match: *} make S3 itself refuse other bytes and replays.
 */
class S3UploadIntegrityIT extends UploadIntegrityContract {

    private static final String KEY = "chute-integrity";
    private static final String SECRET = "chute-integrity-secret";
    private static final Path DATA_DIR = DataDirs.fresh("chute-integrity-s3-");
    private static S3Proxy proxy;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        proxy = S3Proxy.builder()
                .blobStore(new FilesystemNio2BlobStore(
                        Files.createDirectories(DATA_DIR.resolve("blobs")).toString()))
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, KEY, SECRET)
                .build();
        proxy.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> "STARTED".equals(proxy.getState()));
        registry.add("chute.data-dir", () -> DATA_DIR.resolve("chute").toString());
        registry.add("chute.jobs.poll-interval", () -> "500ms");
        registry.add("chute.storage.multipart-threshold", () -> "6MB");
        registry.add("chute.storage.type", () -> "s3");
        registry.add("chute.storage.s3.endpoint", () -> "http://127.0.0.1:" + proxy.getPort());
        registry.add("chute.storage.s3.bucket", () -> "chute-integrity");
        registry.add("chute.storage.s3.access-key", () -> KEY);
        registry.add("chute.storage.s3.secret-key", () -> SECRET);
        registry.add("chute.storage.s3.path-style", () -> "true");
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (proxy != null) {
            proxy.stop();
        }
    }

    @Override
    protected boolean servesDigestOnDownload() {
        return false;
    }

    @Override
    protected String digestMismatchMarker() {
        return "BadDigest"; // S3's error code for it
    }
}
