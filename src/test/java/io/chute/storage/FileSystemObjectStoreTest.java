package io.chute.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FileSystemObjectStoreTest {

    private static final Instant NOW = Instant.parse("2030-01-01T12:00:00Z");
    private static final byte[] SECRET = "file-system-store-secret-32bytes".getBytes(StandardCharsets.UTF_8);
    private static final String KEY = "uploads/owner/upload";

    @TempDir
    Path dir;

    private Path root;
    private FileSystemObjectStore store;

    @BeforeEach
    void createStore() throws IOException {
        root = dir.resolve("objects");
        store = new FileSystemObjectStore(root, SECRET, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void writesTheWholeStreamAndReturnsItsSize() throws IOException {
        byte[] content = bytes(200_000); // several times the copy buffer

        long written = store.write(KEY, new ByteArrayInputStream(content), 1_000_000);

        assertThat(written).isEqualTo(content.length);
        assertThat(contentOf(KEY)).isEqualTo(content);
        assertThat(store.stat(KEY)).contains(new ObjectStore.ObjectInfo(KEY, content.length));
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void writesAnObjectOfExactlyMaxBytes() throws IOException {
        byte[] content = bytes(70_000);

        assertThat(store.write(KEY, new ByteArrayInputStream(content), content.length))
                .isEqualTo(content.length);
        assertThat(contentOf(KEY)).isEqualTo(content);
    }

    @Test
    void writesAnEmptyObject() throws IOException {
        assertThat(store.write(KEY, InputStream.nullInputStream(), 10)).isZero();
        assertThat(store.stat(KEY)).contains(new ObjectStore.ObjectInfo(KEY, 0));
    }

    @Test
    void refusesAStreamLongerThanMaxBytesAndLeavesNothingBehind() throws IOException {
        byte[] content = bytes(200_001);

        assertThatThrownBy(() -> store.write(KEY, new ByteArrayInputStream(content), 200_000))
                .isInstanceOf(ObjectStore.ObjectTooLargeException.class)
                .hasMessageContaining("200000");

        assertThat(store.stat(KEY)).isEmpty();
        assertThat(Files.exists(root.resolve(KEY))).isFalse();
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void keepsThePreviousObjectWhenAnOverwriteIsTooLarge() throws IOException {
        store.write(KEY, new ByteArrayInputStream(bytes(10)), 100);

        assertThatThrownBy(() -> store.write(KEY, new ByteArrayInputStream(bytes(101)), 100))
                .isInstanceOf(ObjectStore.ObjectTooLargeException.class);

        assertThat(contentOf(KEY)).isEqualTo(bytes(10));
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void leavesNothingBehindWhenTheSourceFails() throws IOException {
        InputStream failing = new SequenceInputStream(new ByteArrayInputStream(bytes(100_000)), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        });

        assertThatThrownBy(() -> store.write(KEY, failing, 1_000_000)).hasMessage("connection reset");

        assertThat(Files.exists(root.resolve(KEY))).isFalse();
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void replacesAnExistingObject() throws IOException {
        store.write(KEY, new ByteArrayInputStream(bytes(50_000)), 1_000_000);
        byte[] replacement = "second".getBytes(StandardCharsets.US_ASCII);

        long written = store.write(KEY, new ByteArrayInputStream(replacement), 1_000_000);

        assertThat(written).isEqualTo(replacement.length);
        assertThat(contentOf(KEY)).isEqualTo(replacement);
        assertThat(store.stat(KEY)).contains(new ObjectStore.ObjectInfo(KEY, replacement.length));
    }

    @Test
    void publishesACreatedObjectOnlyWhenItsStreamIsClosed() throws IOException {
        String key = "processed/job/thumbnail";
        byte[] content = bytes(100_000);

        OutputStream out = store.create(key, "image/jpeg");
        out.write(content, 0, 60_000);
        out.write(content[60_000]);
        out.write(content, 60_001, content.length - 60_001);
        out.flush();

        assertThat(store.stat(key)).isEmpty();
        assertThatThrownBy(() -> store.read(key)).isInstanceOf(NoSuchFileException.class);

        out.close();

        assertThat(contentOf(key)).isEqualTo(content);
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void closingACreatedStreamTwiceIsHarmless() throws IOException {
        String key = "processed/job/medium";
        OutputStream out = store.create(key, "image/jpeg");
        out.write(bytes(10));
        out.close();
        store.write(key, new ByteArrayInputStream(bytes(3)), 10);

        out.close();

        assertThat(contentOf(key)).isEqualTo(bytes(3));
    }

    @Test
    void createReplacesAnExistingObject() throws IOException {
        store.write(KEY, new ByteArrayInputStream(bytes(1000)), 10_000);

        try (OutputStream out = store.create(KEY, "image/jpeg")) {
            out.write(bytes(7));
        }

        assertThat(contentOf(KEY)).isEqualTo(bytes(7));
    }

    static Stream<String> invalidKeys() {
        return Stream.of(
                "../x",
                "/abs",
                "a//b",
                "a/../b",
                "",
                "a b",
                "..",
                ".",
                "a/",
                "a\\b",
                ".tmp/put-1.part",
                "a/./b",
                "a\nb",
                null);
    }

    interface KeyOperation {
        void apply(FileSystemObjectStore store, String key) throws Exception;
    }

    static Stream<Arguments> invalidKeysForEveryOperation() {
        Map<String, KeyOperation> operations = new LinkedHashMap<>();
        operations.put("write", (s, k) -> s.write(k, new ByteArrayInputStream(bytes(1)), 10));
        operations.put("create", (s, k) -> s.create(k, "image/jpeg").close());
        operations.put("read", (s, k) -> s.read(k).close());
        operations.put("stat", FileSystemObjectStore::stat);
        operations.put("delete", FileSystemObjectStore::delete);
        operations.put("localFile", (s, k) -> s.localFile(k).close());
        operations.put("presignPut", (s, k) -> s.presignPut(k, 1, "image/jpeg", Duration.ofMinutes(5)));
        operations.put("presignGet", (s, k) -> s.presignGet(k, "image/jpeg", "a.jpg", Duration.ofMinutes(5)));
        return invalidKeys()
                .flatMap(
                        key -> operations.entrySet().stream().map(op -> Arguments.of(op.getKey(), key, op.getValue())));
    }

    @ParameterizedTest(name = "{0} \"{1}\"")
    @MethodSource("invalidKeysForEveryOperation")
    void refusesAKeyThatIsNotAPlainRelativePath(String operation, String key, KeyOperation op) throws IOException {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> op.apply(store, key))
                .withMessage("Invalid object key");

        assertThat(tempFiles()).isEmpty();
        try (Stream<Path> outside = Files.list(dir)) {
            assertThat(outside).containsExactly(root);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "a",
                "uploads/0b6f1e0c-3c7e-4d55-9c1b-6a3b2d7e8f90/f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9",
                "processed/job/thumbnail",
                "A.b-c_d",
                "a/b/c/d/e/f/g/h"
            })
    void acceptsPlainRelativeKeys(String key) throws IOException {
        store.write(key, new ByteArrayInputStream(bytes(5)), 10);

        assertThat(store.stat(key)).contains(new ObjectStore.ObjectInfo(key, 5));
        assertThat(root.resolve(key)).isRegularFile();
    }

    @Test
    void acceptsASegmentOf128Characters() throws IOException {
        String key = "x".repeat(128);

        store.write(key, new ByteArrayInputStream(bytes(1)), 10);

        assertThat(store.stat(key)).isPresent();
    }

    @Test
    void statsAMissingObjectAsEmpty() throws IOException {
        assertThat(store.stat("uploads/nobody/nothing")).isEmpty();
    }

    @Test
    void readsAMissingObjectAsNoSuchFile() {
        assertThatThrownBy(() -> store.read("uploads/nobody/nothing")).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void deletesAnObject() throws IOException {
        store.write(KEY, new ByteArrayInputStream(bytes(5)), 10);

        store.delete(KEY);

        assertThat(store.stat(KEY)).isEmpty();
    }

    @Test
    void deletingAMissingObjectIsFine() {
        assertThatCode(() -> store.delete("uploads/nobody/nothing")).doesNotThrowAnyException();
    }

    @Test
    void givesTheObjectItselfAsItsLocalFile() throws Exception {
        store.write(KEY, new ByteArrayInputStream(bytes(42)), 100);

        try (ObjectStore.LocalFile local = store.localFile(KEY)) {
            assertThat(Files.readAllBytes(local.path())).isEqualTo(bytes(42));
        }
        assertThat(store.stat(KEY)).isPresent();
    }

    @Test
    void refusesTheLocalFileOfAMissingObject() {
        assertThatThrownBy(() -> store.localFile("uploads/nobody/nothing"))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("uploads/nobody/nothing");
    }

    @Test
    void refusesTheLocalFileOfADirectory() throws IOException {
        store.write(KEY, new ByteArrayInputStream(bytes(1)), 10);

        assertThatThrownBy(() -> store.localFile("uploads/owner")).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void presignsARelativePutUrlThatItsSignerVerifies() {
        var signed = store.presignPut(KEY, 1234, "image/jpeg", Duration.ofMinutes(15));

        assertThat(signed.url().isAbsolute()).isFalse();
        assertThat(signed.url().getPath()).isEqualTo("/objects/" + KEY);
        assertThat(signed.method()).isEqualTo("PUT");
        assertThat(signed.headers()).isEqualTo(Map.of("Content-Type", "image/jpeg", "If-None-Match", "*"));

        Map<String, String> query = queryOf(signed.url());
        assertThat(query)
                .containsEntry("m", "PUT")
                .containsEntry(
                        "e", Long.toString(NOW.plus(Duration.ofMinutes(15)).getEpochSecond()))
                .containsEntry("s", "1234")
                .containsEntry("ct", "image/jpeg")
                .containsKey("sig");
        var grant = new UrlSigner.Grant(
                "PUT", KEY, Long.parseLong(query.get("e")), Long.parseLong(query.get("s")), query.get("ct"), null);
        assertThat(store.signer().verify(grant, query.get("sig"))).isTrue();
        assertThat(grant.expiredAt(store.clock().instant())).isFalse();
    }

    @Test
    void presignsAPutUrlWhoseSignatureDoesNotCoverALargerSize() {
        Map<String, String> query = queryOf(store.presignPut(KEY, 1234, "image/jpeg", Duration.ofMinutes(15))
                .url());

        var larger = new UrlSigner.Grant("PUT", KEY, Long.parseLong(query.get("e")), 1235, "image/jpeg", null);

        assertThat(store.signer().verify(larger, query.get("sig"))).isFalse();
    }

    @Test
    void presignsAPutUrlForAContentTypeWithParameters() {
        var signed = store.presignPut(KEY, 10, "text/plain; charset=utf-8", Duration.ofMinutes(1));

        Map<String, String> query = queryOf(signed.url());
        assertThat(query).containsEntry("ct", "text/plain; charset=utf-8");
        assertThat(signed.headers()).containsEntry("Content-Type", "text/plain; charset=utf-8");
        var grant = new UrlSigner.Grant("PUT", KEY, Long.parseLong(query.get("e")), 10, query.get("ct"), null);
        assertThat(store.signer().verify(grant, query.get("sig"))).isTrue();
    }

    @Test
    void presignsARelativeGetUrlThatItsSignerVerifies() {
        String name = "my cat & dog=é?.jpg";

        URI url = store.presignGet(KEY, "image/jpeg", name, Duration.ofHours(1));

        assertThat(url.isAbsolute()).isFalse();
        assertThat(url.getPath()).isEqualTo("/objects/" + KEY);
        Map<String, String> query = queryOf(url);
        assertThat(query)
                .containsEntry("m", "GET")
                .containsEntry("e", Long.toString(NOW.plus(Duration.ofHours(1)).getEpochSecond()))
                .containsEntry("ct", "image/jpeg")
                .containsEntry("fn", name)
                .doesNotContainKey("s");
        var grant =
                new UrlSigner.Grant("GET", KEY, Long.parseLong(query.get("e")), -1, query.get("ct"), query.get("fn"));
        assertThat(store.signer().verify(grant, query.get("sig"))).isTrue();
        var renamed = new UrlSigner.Grant("GET", KEY, grant.expiresEpochSecond(), -1, "image/jpeg", "other.jpg");
        assertThat(store.signer().verify(renamed, query.get("sig"))).isFalse();
    }

    @Test
    void presignsAGetUrlWithoutADownloadName() {
        URI url = store.presignGet(KEY, "image/jpeg", null, Duration.ofHours(1));

        Map<String, String> query = queryOf(url);
        assertThat(query).containsEntry("fn", "");
        var grant = new UrlSigner.Grant("GET", KEY, Long.parseLong(query.get("e")), -1, query.get("ct"), null);
        assertThat(store.signer().verify(grant, query.get("sig"))).isTrue();
    }

    @Test
    void describesItselfByItsRoot() {
        assertThat(store.describe())
                .isEqualTo("filesystem at " + root.toAbsolutePath().normalize());
    }

    private byte[] contentOf(String key) throws IOException {
        try (InputStream in = store.read(key)) {
            return in.readAllBytes();
        }
    }

    private Path[] tempFiles() throws IOException {
        try (Stream<Path> files = Files.list(root.resolve(".tmp"))) {
            return files.toArray(Path[]::new);
        }
    }

    /** The query parameters decoded as a servlet container decodes them. */
    private static Map<String, String> queryOf(URI url) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : url.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            String previous = params.put(
                    URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            assertThat(previous).as("parameter %s appears once", pair).isNull();
        }
        return params;
    }

    private static byte[] bytes(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        return bytes;
    }
}
