package io.chute.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.ContentDisposition;

/**
 * What every {@link ObjectStore} adapter promises, run against each of them (a subclass per
 * adapter). Big objects are generated streams checked by SHA-256, never byte arrays, and
 * signed URLs are exercised over real HTTP.
 */
abstract class ObjectStoreContract {

    static final int MiB = 1024 * 1024;
    /** Spans several S3 parts (at the 5 MiB minimum) with a ragged last one. */
    static final long MULTI_PART_SIZE = 3L * 5 * MiB + 12_345;

    private static final Duration TTL = Duration.ofMinutes(5);

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    /** The adapter under test. */
    protected abstract ObjectStore store();

    /** A signed URL as a client would use it (the filesystem store's URLs are relative to Chute). */
    protected abstract URI reachable(URI signedUrl);

    protected String newKey(String name) {
        return "contract/" + UUID.randomUUID() + "/" + name;
    }

    @Test
    void roundTripsAStreamOfSeveralMebibytes() throws IOException {
        String key = newKey("big.bin");

        long written = store().write(key, new GeneratedBytes(1, MULTI_PART_SIZE), Long.MAX_VALUE);

        assertThat(written).isEqualTo(MULTI_PART_SIZE);
        assertThat(store().stat(key)).contains(new ObjectStore.ObjectInfo(key, MULTI_PART_SIZE));
        assertThat(GeneratedBytes.fingerprint(store().read(key)))
                .isEqualTo(GeneratedBytes.fingerprint(1, MULTI_PART_SIZE));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 5 * MiB})
    void roundTripsSmallAndBoundarySizes(long size) throws IOException {
        String key = newKey("edge.bin");

        assertThat(store().write(key, new GeneratedBytes(2, size), size)).isEqualTo(size);

        assertThat(store().stat(key)).contains(new ObjectStore.ObjectInfo(key, size));
        assertThat(GeneratedBytes.fingerprint(store().read(key))).isEqualTo(GeneratedBytes.fingerprint(2, size));
    }

    @Test
    void refusesAStreamOverTheLimitAsSoonAsItPassesItAndLeavesNothing() throws IOException {
        String key = newKey("too-big.bin");
        long limit = 6L * MiB;
        var in = new GeneratedBytes(3, 4 * limit);

        assertThatThrownBy(() -> store().write(key, in, limit)).isInstanceOf(ObjectStore.ObjectTooLargeException.class);

        assertThat(store().stat(key)).isEmpty();
        assertThat(in.consumed()).as("bytes read before giving up").isLessThanOrEqualTo(limit + MiB);
    }

    @Test
    void refusesOneByteOverTheLimit() throws IOException {
        String key = newKey("one-over.bin");

        assertThatThrownBy(() -> store().write(key, new GeneratedBytes(4, 11), 10))
                .isInstanceOf(ObjectStore.ObjectTooLargeException.class);

        assertThat(store().stat(key)).isEmpty();
    }

    @Test
    void overwritingAKeyReplacesTheObject() throws IOException {
        String key = newKey("twice.bin");
        store().write(key, new GeneratedBytes(5, 7L * MiB), Long.MAX_VALUE);

        store().write(key, new GeneratedBytes(6, 1000), Long.MAX_VALUE);

        assertThat(store().stat(key)).contains(new ObjectStore.ObjectInfo(key, 1000));
        assertThat(GeneratedBytes.fingerprint(store().read(key))).isEqualTo(GeneratedBytes.fingerprint(6, 1000));
    }

    @Test
    void aWriteThatFailsMidwayLeavesNothing() throws IOException {
        String key = newKey("broken.bin");

        assertThatThrownBy(() ->
                        store().write(key, failingAfter(new GeneratedBytes(7, 20L * MiB), 11L * MiB), Long.MAX_VALUE))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("connection reset");

        assertThat(store().stat(key)).isEmpty();
    }

    @Test
    void aWriteThatFailsMidwayKeepsThePreviousObject() throws IOException {
        String key = newKey("kept.bin");
        store().write(key, new GeneratedBytes(8, 3000), Long.MAX_VALUE);

        assertThatThrownBy(() ->
                        store().write(key, failingAfter(new GeneratedBytes(9, 20L * MiB), 6L * MiB), Long.MAX_VALUE))
                .isInstanceOf(IOException.class);

        assertThat(GeneratedBytes.fingerprint(store().read(key))).isEqualTo(GeneratedBytes.fingerprint(8, 3000));
    }

    @Test
    void createPublishesTheObjectOnlyWhenClosed() throws IOException {
        String key = newKey("rendition.webp");
        long size = 6L * MiB + 3;
        OutputStream out = store().create(key, "image/webp");
        try (var in = new GeneratedBytes(10, size)) {
            out.write(in.read()); // single bytes, as some encoders write
            in.transferTo(out);
        }

        assertThat(store().stat(key)).as("before close").isEmpty();
        out.close();

        assertThat(store().stat(key)).contains(new ObjectStore.ObjectInfo(key, size));
        assertThat(GeneratedBytes.fingerprint(store().read(key))).isEqualTo(GeneratedBytes.fingerprint(10, size));
    }

    @Test
    void aMissingObjectHasNoInfoCannotBeReadAndDeletesQuietly() throws IOException {
        String key = newKey("missing.bin");

        assertThat(store().stat(key)).isEmpty();
        assertThatThrownBy(() -> store().read(key)).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> store().localFile(key)).isInstanceOf(NoSuchFileException.class);
        assertThatCode(() -> store().delete(key)).doesNotThrowAnyException();
    }

    @Test
    void deleteRemovesTheObject() throws IOException {
        String key = newKey("gone.bin");
        store().write(key, new GeneratedBytes(11, 100), 100);

        store().delete(key);
        store().delete(key);

        assertThat(store().stat(key)).isEmpty();
        assertThatThrownBy(() -> store().read(key)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void aLocalFileHoldsTheObjectsBytes() throws Exception {
        String key = newKey("local.bin");
        long size = 2L * MiB + 5;
        store().write(key, new GeneratedBytes(12, size), size);

        try (ObjectStore.LocalFile file = store().localFile(key)) {
            assertThat(Files.size(file.path())).isEqualTo(size);
            assertThat(GeneratedBytes.fingerprint(Files.newInputStream(file.path())))
                    .isEqualTo(GeneratedBytes.fingerprint(12, size));
        }
    }

    @Test
    void aReaderMayStopEarly() throws IOException {
        String key = newKey("peek.bin");
        store().write(key, new GeneratedBytes(13, 12L * MiB), Long.MAX_VALUE);

        for (int i = 0; i < 3; i++) {
            try (InputStream in = store().read(key)) {
                assertThat(in.readNBytes(16)).isEqualTo(new GeneratedBytes(13, 16).readAllBytes());
            }
        }

        assertThat(store().stat(key)).contains(new ObjectStore.ObjectInfo(key, 12L * MiB));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape", "/absolute", "a//b", "a/../b", "bad key", ""})
    void refusesKeysThatAreNotPlainChuteKeys(String key) {
        assertThatThrownBy(() -> store().stat(key)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store().write(key, InputStream.nullInputStream(), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store().presignGet(key, "text/plain", "x.txt", TTL))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSignedPutThenASignedGetRoundTripTheBytesOverHttp() throws Exception {
        String key = newKey("report.pdf");
        long size = MiB + 17;
        ObjectStore.SignedRequest put = store().presignPut(key, size, "application/pdf", TTL);
        assertThat(put.method()).isEqualTo("PUT");
        assertThat(put.headers()).containsEntry("Content-Type", "application/pdf");

        HttpResponse<String> stored = send(put, put.headers(), new GeneratedBytes(14, size), size);

        assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
        assertThat(stored.headers().firstValue("ETag")).isPresent();
        assertThat(store().stat(key)).contains(new ObjectStore.ObjectInfo(key, size));

        URI get = reachable(store().presignGet(key, "application/pdf", "Quarterly report é.pdf", TTL));
        HttpResponse<InputStream> fetched =
                http.send(HttpRequest.newBuilder(get).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(fetched.statusCode()).isEqualTo(200);
        assertThat(fetched.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/pdf"));
        ContentDisposition disposition = ContentDisposition.parse(
                fetched.headers().firstValue("Content-Disposition").orElseThrow());
        assertThat(disposition.isAttachment()).isTrue();
        assertThat(disposition.getFilename()).isEqualTo("Quarterly report é.pdf");
        assertThat(GeneratedBytes.fingerprint(fetched.body())).isEqualTo(GeneratedBytes.fingerprint(14, size));
    }

    @Test
    void aSignedGetOfAWebPageIsAnAttachmentOfItsTypeEvenWithoutAName() throws Exception {
        String key = newKey("page.html");
        long size = 4096;
        ObjectStore.SignedRequest put = store().presignPut(key, size, "text/html", TTL);
        assertThat(send(put, put.headers(), new GeneratedBytes(15, size), size).statusCode())
                .isEqualTo(200);

        URI get = reachable(store().presignGet(key, "text/html", null, TTL));
        HttpResponse<InputStream> fetched =
                http.send(HttpRequest.newBuilder(get).GET().build(), HttpResponse.BodyHandlers.ofInputStream());

        assertThat(fetched.statusCode()).isEqualTo(200);
        assertThat(fetched.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(ContentDisposition.parse(fetched.headers()
                                .firstValue("Content-Disposition")
                                .orElseThrow())
                        .isAttachment())
                .isTrue();
        fetched.body().close();
    }

    @Test
    void aSignedPutRefusesAnotherContentType() throws Exception {
        String key = newKey("photo.jpg");
        ObjectStore.SignedRequest put = store().presignPut(key, 1000, "image/jpeg", TTL);

        HttpResponse<String> refused =
                send(put, Map.of("Content-Type", "text/html"), new GeneratedBytes(15, 1000), 1000);

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(store().stat(key)).isEmpty();
    }

    @Test
    void aSignedPutRefusesATamperedUrl() throws Exception {
        String folder = UUID.randomUUID().toString();
        String key = "contract/" + folder + "/photo.jpg";
        ObjectStore.SignedRequest put = store().presignPut(key, 1000, "image/jpeg", TTL);
        String otherFolder = UUID.randomUUID().toString();
        URI tampered = URI.create(put.url().toString().replace(folder, otherFolder));

        HttpResponse<String> refused = send(
                new ObjectStore.SignedRequest(tampered, "PUT", put.headers()),
                put.headers(),
                new GeneratedBytes(16, 1000),
                1000);

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(store().stat("contract/" + otherFolder + "/photo.jpg")).isEmpty();
        assertThat(store().stat(key)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(longs = {999, 1001})
    void aSignedPutRefusesAnotherLength(long sent) throws Exception {
        String key = newKey("sized.bin");
        ObjectStore.SignedRequest put = store().presignPut(key, 1000, "application/octet-stream", TTL);

        HttpResponse<String> refused = send(put, put.headers(), new GeneratedBytes(17, sent), sent);

        assertThat(refused.statusCode()).isBetween(400, 499);
        assertThat(store().stat(key)).isEmpty();
    }

    /** The SHA-256 (hex) of generated bytes, as a client would declare it. */
    static String sha256Of(long seed, long length) throws IOException {
        return GeneratedBytes.fingerprint(seed, length).split("/")[0];
    }

    @Test
    void aSignedPutBoundToADigestRefusesOtherBytesOfTheSameSizeAndStoresNothing() throws Exception {
        String key = newKey("declared.bin");
        ObjectStore.SignedRequest put =
                store().presignPut(key, 4096, "application/octet-stream", sha256Of(30, 4096), TTL);

        HttpResponse<String> refused = send(put, put.headers(), new GeneratedBytes(31, 4096), 4096);

        assertThat(refused.statusCode()).as(refused.body()).isBetween(400, 499);
        assertThat(store().stat(key)).isEmpty();
        HttpResponse<String> stored = send(put, put.headers(), new GeneratedBytes(30, 4096), 4096);
        assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
        assertThat(GeneratedBytes.fingerprint(store().read(key))).isEqualTo(GeneratedBytes.fingerprint(30, 4096));
    }

    @Test
    void aUsedSignedPutCannotReplaceTheStoredObject() throws Exception {
        String key = newKey("once.bin");
        ObjectStore.SignedRequest put = store().presignPut(key, 4096, "application/octet-stream", TTL);
        assertThat(send(put, put.headers(), new GeneratedBytes(32, 4096), 4096).statusCode())
                .isEqualTo(200);

        HttpResponse<String> replay = send(put, put.headers(), new GeneratedBytes(33, 4096), 4096);

        assertThat(replay.statusCode()).as(replay.body()).isIn(403, 409, 412);
        assertThat(GeneratedBytes.fingerprint(store().read(key))).isEqualTo(GeneratedBytes.fingerprint(32, 4096));
    }

    @Test
    void aSignedPartBoundToADigestRefusesOtherBytesAndTakesTheRightOnes() throws Exception {
        String key = newKey("declared-parts.bin");
        String id = store().startMultipart(key, "application/octet-stream");
        ObjectStore.SignedRequest part = store().presignPart(key, id, 1, 1024, sha256Of(34, 1024), TTL);

        HttpResponse<String> refused = send(part, part.headers(), new GeneratedBytes(35, 1024), 1024);

        assertThat(refused.statusCode()).as(refused.body()).isBetween(400, 499);
        assertThat(store().listParts(key, id)).isEmpty();
        HttpResponse<String> stored = send(part, part.headers(), new GeneratedBytes(34, 1024), 1024);
        assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
        assertThat(store().listParts(key, id))
                .extracting(ObjectStore.StoredPart::partNumber)
                .containsExactly(1);
        store().abortMultipart(key, id);
    }

    @Test
    void aSignedGetStopsWorkingWhenItExpires() throws Exception {
        String key = newKey("short-lived.txt");
        store().write(key, new GeneratedBytes(18, 10), 10);
        URI get = reachable(store().presignGet(key, "text/plain", "short-lived.txt", Duration.ofSeconds(3)));
        assertThat(http.send(HttpRequest.newBuilder(get).GET().build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode())
                .as("before it expires")
                .isEqualTo(200);

        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(250))
                .until(() ->
                        http.send(HttpRequest.newBuilder(get).GET().build(), HttpResponse.BodyHandlers.discarding())
                                        .statusCode()
                                == 403);
    }

    private static final long[] PART_SIZES = {5L * MiB, 5L * MiB, 1024};

    /** Uploads the three parts over HTTP through their signed URLs; returns the ETags as answered. */
    private List<String> uploadParts(String key, String id, long seed) throws Exception {
        List<String> etags = new ArrayList<>();
        for (int i = 0; i < PART_SIZES.length; i++) {
            ObjectStore.SignedRequest put = store().presignPart(key, id, i + 1, PART_SIZES[i], TTL);
            assertThat(put.method()).isEqualTo("PUT");
            HttpResponse<String> stored =
                    send(put, put.headers(), new GeneratedBytes(seed + i, PART_SIZES[i]), PART_SIZES[i]);
            assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
            etags.add(stored.headers().firstValue("ETag").orElseThrow());
        }
        return etags;
    }

    private static String fingerprintOfParts(long seed) throws IOException {
        InputStream all = InputStream.nullInputStream();
        for (int i = 0; i < PART_SIZES.length; i++) {
            all = new SequenceInputStream(all, new GeneratedBytes(seed + i, PART_SIZES[i]));
        }
        return GeneratedBytes.fingerprint(all);
    }

    private static List<ObjectStore.PartETag> partETags(List<String> etags) {
        List<ObjectStore.PartETag> parts = new ArrayList<>();
        for (int i = 0; i < etags.size(); i++) {
            parts.add(new ObjectStore.PartETag(i + 1, etags.get(i)));
        }
        return parts;
    }

    @Test
    void aMultipartUploadOfSignedPartsIsListedThenAssembled() throws Exception {
        String key = newKey("multipart.bin");
        String id = store().startMultipart(key, "application/octet-stream");

        List<String> etags = uploadParts(key, id, 100);

        List<ObjectStore.StoredPart> listed = store().listParts(key, id);
        assertThat(listed).extracting(ObjectStore.StoredPart::partNumber).containsExactly(1, 2, 3);
        assertThat(listed)
                .extracting(ObjectStore.StoredPart::size)
                .containsExactly(PART_SIZES[0], PART_SIZES[1], PART_SIZES[2]);
        assertThat(listed)
                .extracting(p -> ObjectStore.PartETag.bare(p.etag()))
                .containsExactlyElementsOf(
                        etags.stream().map(ObjectStore.PartETag::bare).toList());
        assertThat(store().stat(key)).as("before complete").isEmpty();

        // why: clients hand ETags back with or without quotes
        List<ObjectStore.PartETag> parts = partETags(etags);
        parts.set(1, new ObjectStore.PartETag(2, ObjectStore.PartETag.bare(etags.get(1))));
        store().completeMultipart(key, id, parts);

        long total = PART_SIZES[0] + PART_SIZES[1] + PART_SIZES[2];
        assertThat(store().stat(key)).contains(new ObjectStore.ObjectInfo(key, total));
        assertThat(GeneratedBytes.fingerprint(store().read(key))).isEqualTo(fingerprintOfParts(100));
    }

    @Test
    void aMultipartUploadWithAWrongOrMissingETagIsRefusedAndCanBeCompletedAfterwards() throws Exception {
        String key = newKey("wrong-etag.bin");
        String id = store().startMultipart(key, "application/octet-stream");
        List<String> etags = uploadParts(key, id, 200);

        List<ObjectStore.PartETag> wrong = partETags(etags);
        wrong.set(1, new ObjectStore.PartETag(2, "\"0123456789abcdef0123456789abcdef\""));
        assertThatThrownBy(() -> store().completeMultipart(key, id, wrong))
                .isInstanceOf(ObjectStore.PartsMismatchException.class);
        List<ObjectStore.PartETag> unknown = new ArrayList<>(partETags(etags));
        unknown.add(new ObjectStore.PartETag(4, etags.get(2)));
        assertThatThrownBy(() -> store().completeMultipart(key, id, unknown))
                .isInstanceOf(ObjectStore.PartsMismatchException.class);
        assertThat(store().stat(key)).isEmpty();

        store().completeMultipart(key, id, partETags(etags));
        assertThat(GeneratedBytes.fingerprint(store().read(key))).isEqualTo(fingerprintOfParts(200));
    }

    @Test
    void anAbortedMultipartUploadLeavesNothing() throws Exception {
        String key = newKey("aborted.bin");
        String id = store().startMultipart(key, "application/octet-stream");
        uploadParts(key, id, 300);

        store().abortMultipart(key, id);
        store().abortMultipart(key, id);

        assertThat(store().stat(key)).isEmpty();
        try {
            assertThat(store().listParts(key, id)).isEmpty();
        } catch (NoSuchFileException expected) {
            // either answer means nothing is left
        }
    }

    private HttpResponse<String> send(
            ObjectStore.SignedRequest request, Map<String, String> headers, InputStream body, long length)
            throws IOException, InterruptedException {
        var builder = HttpRequest.newBuilder(reachable(request.url()))
                .method(
                        request.method(),
                        HttpRequest.BodyPublishers.fromPublisher(
                                HttpRequest.BodyPublishers.ofInputStream(() -> body), length));
        headers.forEach(builder::header);
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** {@code in}, until {@code after} bytes were read; then the read fails as a dropped connection would. */
    private static InputStream failingAfter(InputStream in, long after) {
        return new FilterInputStream(in) {
            private long read;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (read >= after) {
                    throw new IOException("connection reset by the test");
                }
                int n = super.read(b, off, (int) Math.min(len, after - read));
                read += Math.max(n, 0);
                return n;
            }
        };
    }
}
