package io.chute.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.chute.config.ChuteProperties;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutBucketCorsRequest;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The S3 adapter against a real S3 API server run in-process (s3proxy over a temporary
 * directory), plus what only S3 has: multipart uploads that must not be left behind, and the
 * bucket Chute creates for itself.
 */
class S3ObjectStoreIT extends ObjectStoreContract {

    private static final String ACCESS_KEY = "chute-test";
    private static final String SECRET_KEY = "chute-test-secret";
    private static final String BUCKET = "chute-contract";

    @TempDir
    static Path tempDir;

    private static S3Proxy proxy;
    private static URI endpoint;
    private static S3ObjectStore store;
    private static S3Client raw;

    @BeforeAll
    static void startS3() throws Exception {
        Path blobs = Files.createDirectories(tempDir.resolve("blobs"));
        proxy = S3Proxy.builder()
                .blobStore(new CountingBlobStore(new FilesystemNio2BlobStore(blobs.toString())))
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> "STARTED".equals(proxy.getState()));
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
        store = S3ObjectStore.connect(endpointSettings(), BUCKET, S3ObjectStore.MIN_PART_SIZE, tempDir.resolve("tmp"));
        store.createBucketIfMissing();
        raw = S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (raw != null) {
            raw.close();
        }
        if (store != null) {
            store.close();
        }
        if (proxy != null) {
            proxy.stop();
        }
    }

    @Override
    protected ObjectStore store() {
        return store;
    }

    @Override
    protected URI reachable(URI signedUrl) {
        return signedUrl;
    }

    @Test
    void writesABigStreamAsAMultipartUploadAndASmallOneAsOnePut() throws IOException {
        String big = newKey("big.bin");
        String small = newKey("small.bin");

        store.write(big, new GeneratedBytes(20, MULTI_PART_SIZE), Long.MAX_VALUE);
        store.write(small, new GeneratedBytes(21, 1000), Long.MAX_VALUE);

        // why: S3 names a multipart object's ETag after its part count
        assertThat(raw.headObject(b -> b.bucket(BUCKET).key(big)).eTag()).endsWith("-4\"");
        assertThat(raw.headObject(b -> b.bucket(BUCKET).key(small)).eTag()).doesNotContain("-");
    }

    @Test
    void aReaderThatStopsEarlyDoesNotMakeTheServerSendTheRest() throws IOException {
        String key = newKey("huge.bin");
        long size = 64L * MiB;
        store.write(key, new GeneratedBytes(25, size), Long.MAX_VALUE);
        long before = CountingBlobStore.served.get();

        try (var in = store.read(key)) {
            assertThat(in.readNBytes(16)).hasSize(16);
        }

        // why: without an abort the client would drain the rest of the object to reuse its connection
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(5))
                .until(() -> CountingBlobStore.served.get() - before < size / 2);
    }

    @Test
    void abortsItsMultipartUploadWhenTheStreamIsTooLarge() {
        String key = newKey("too-big.bin");

        assertThatThrownBy(() -> store.write(key, new GeneratedBytes(22, 20L * MiB), 12L * MiB))
                .isInstanceOf(ObjectStore.ObjectTooLargeException.class);

        assertThat(pendingUploadsOf(key)).isZero();
    }

    @Test
    void abortsItsMultipartUploadWhenTheStreamFails() {
        String key = newKey("broken.bin");
        var failing = new SequenceInputStream(new GeneratedBytes(23, 11L * MiB), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset by the test");
            }
        });

        assertThatThrownBy(() -> store.write(key, failing, Long.MAX_VALUE)).isInstanceOf(IOException.class);

        assertThat(pendingUploadsOf(key)).isZero();
    }

    @Test
    void aLocalFileIsATemporaryCopyRemovedOnClose() throws Exception {
        String key = newKey("copy.bin");
        store.write(key, new GeneratedBytes(24, 1000), 1000);

        Path copy;
        try (ObjectStore.LocalFile file = store.localFile(key)) {
            copy = file.path();
            assertThat(copy).startsWith(tempDir.resolve("tmp"));
        }

        assertThat(copy).doesNotExist();
        assertThat(store.stat(key)).isPresent();
    }

    @Test
    void aSignedPutAsksTheClientForExactlyTheContentTypeAndOneVersion() {
        ObjectStore.SignedRequest put = store.presignPut(newKey("a.png"), 10, "image/png", Duration.ofMinutes(1));

        assertThat(put.headers())
                .containsExactlyInAnyOrderEntriesOf(Map.of("Content-Type", "image/png", "If-None-Match", "*"));
        assertThat(put.url().getQuery()).contains("X-Amz-SignedHeaders=content-length;content-type;host;if-none-match");
    }

    @Test
    void aSignedPutWithADeclaredDigestSignsItAsTheS3Checksum() throws IOException {
        String hex = sha256Of(42, 10);
        ObjectStore.SignedRequest put = store.presignPut(newKey("b.png"), 10, "image/png", hex, Duration.ofMinutes(1));

        assertThat(put.headers())
                .containsEntry(
                        "x-amz-checksum-sha256",
                        java.util.Base64.getEncoder()
                                .encodeToString(java.util.HexFormat.of().parseHex(hex)));
        assertThat(put.url().getQuery()).contains("x-amz-checksum-sha256");
    }

    @Test
    void createsAMissingBucketOnceAndLeavesAnExistingOneAlone() throws IOException {
        String bucket = "chute-" + UUID.randomUUID();
        try (var other = S3ObjectStore.connect(
                endpointSettings(), bucket, S3ObjectStore.MIN_PART_SIZE, tempDir.resolve("tmp"))) {
            assertThat(other.createBucketIfMissing()).isTrue();
            assertThat(other.createBucketIfMissing()).isFalse();
            assertThat(other.describe()).isEqualTo("s3 bucket " + bucket + " at " + endpoint);
        }
    }

    @Test
    void asksForBrowserCorsRulesOnTheBucketItCreatesOnly() throws IOException {
        List<PutBucketCorsRequest> sent = new CopyOnWriteArrayList<>();
        ExecutionInterceptor recorder = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof PutBucketCorsRequest cors) {
                    sent.add(cors);
                }
            }
        };
        Supplier<S3Client> recording = () -> S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .overrideConfiguration(c -> c.addExecutionInterceptor(recorder))
                .build();
        String bucket = "chute-cors-" + UUID.randomUUID();
        try (var created = new S3ObjectStore(
                recording.get(),
                unusedPresigner(),
                bucket,
                S3ObjectStore.MIN_PART_SIZE,
                tempDir.resolve("tmp"),
                endpoint.toString())) {
            created.createBucketIfMissing();
            created.createBucketIfMissing();
        }
        try (var existing = new S3ObjectStore(
                recording.get(),
                unusedPresigner(),
                BUCKET,
                S3ObjectStore.MIN_PART_SIZE,
                tempDir.resolve("tmp"),
                endpoint.toString())) {
            existing.createBucketIfMissing();
        }

        assertThat(sent).singleElement().satisfies(request -> {
            assertThat(request.bucket()).isEqualTo(bucket);
            assertThat(request.corsConfiguration().corsRules()).singleElement().satisfies(rule -> {
                assertThat(rule.allowedOrigins()).containsExactly("*");
                assertThat(rule.allowedMethods()).containsExactlyInAnyOrder("PUT", "GET");
                assertThat(rule.allowedHeaders())
                        .containsExactly(
                                "Content-Type",
                                "If-None-Match",
                                "x-amz-checksum-sha256",
                                "x-amz-sdk-checksum-algorithm");
                assertThat(rule.exposeHeaders()).containsExactly("ETag");
            });
        });
    }

    @Test
    void isWiredFromChuteStorageS3Properties() {
        String bucket = "chute-wired-" + UUID.randomUUID();
        new ApplicationContextRunner()
                .withUserConfiguration(StorageUnderTest.class)
                .withPropertyValues(
                        "chute.data-dir=" + tempDir.resolve("data"),
                        "chute.storage.type=s3",
                        "chute.storage.s3.endpoint=" + endpoint,
                        "chute.storage.s3.bucket=" + bucket,
                        "chute.storage.s3.access-key=" + ACCESS_KEY,
                        "chute.storage.s3.secret-key=" + SECRET_KEY,
                        "chute.storage.s3.path-style=true")
                .run(context -> {
                    assertThat(context)
                            .hasNotFailed()
                            .hasSingleBean(ObjectStore.class)
                            .hasSingleBean(S3ObjectStore.class);
                    assertThat(context.getBean(ObjectStore.class).describe()).contains(bucket);
                    assertThat(raw.headBucket(b -> b.bucket(bucket))
                                    .sdkHttpResponse()
                                    .isSuccessful())
                            .isTrue();
                });
    }

    /** Counts the bytes s3proxy reads out of its blobs to send them. */
    private static final class CountingBlobStore extends ForwardingBlobStore {
        static final AtomicLong served = new AtomicLong();

        CountingBlobStore(BlobStore delegate) {
            super(delegate);
        }

        @Override
        public ResponseInputStream<GetObjectResponse> getBlob(GetObjectRequest request) {
            ResponseInputStream<GetObjectResponse> blob = super.getBlob(request);
            return new ResponseInputStream<>(blob.response(), new FilterInputStream(blob) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    served.addAndGet(b == -1 ? 0 : 1);
                    return b;
                }

                @Override
                public int read(byte[] bytes, int off, int len) throws IOException {
                    int n = super.read(bytes, off, len);
                    served.addAndGet(Math.max(n, 0));
                    return n;
                }
            });
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(ChuteProperties.class)
    @Import(StorageConfiguration.class)
    static class StorageUnderTest {}

    private static S3ObjectStore.Endpoint endpointSettings() {
        return new S3ObjectStore.Endpoint(endpoint.toString(), "us-east-1", ACCESS_KEY, SECRET_KEY, true);
    }

    private static S3Presigner unusedPresigner() {
        return S3Presigner.builder()
                .region(Region.US_EAST_1)
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    private static long pendingUploadsOf(String key) {
        return raw.listMultipartUploads(b -> b.bucket(BUCKET).prefix(key))
                .uploads()
                .size();
    }
}
