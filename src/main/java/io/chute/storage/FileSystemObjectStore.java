package io.chute.storage;

import io.chute.common.Sha256;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Objects as files under one root directory. Writes go to a temporary file in the same file
 * system and are moved into place atomically, so a reader never sees half an object. Signed
 * URLs point at Chute's own {@code /objects/**} endpoint ({@link ObjectController}).
 */
public class FileSystemObjectStore implements ObjectStore {

    static final String ENDPOINT = "/objects/";
    private static final Pattern KEY =
            Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}(/[A-Za-z0-9][A-Za-z0-9._-]{0,127}){0,7}");
    private static final int BUFFER = 64 * 1024;

    private final Path root;
    private final Path tmp;
    private final Path multipart;
    private final UrlSigner signer;
    private final Clock clock;

    public FileSystemObjectStore(Path root, byte[] signingSecret, Clock clock) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.tmp = this.root.resolve(".tmp");
        // why: a leading dot can never start a Chute key, so neither folder can collide with an object
        this.multipart = this.root.resolve(".multipart");
        this.signer = new UrlSigner(signingSecret);
        this.clock = clock;
        Files.createDirectories(tmp);
        Files.createDirectories(multipart);
    }

    @Override
    public long write(String key, InputStream in, long maxBytes) throws IOException {
        Path target = pathOf(key);
        Path part = Files.createTempFile(tmp, "put-", ".part");
        try {
            long total = copyAtMost(in, part, maxBytes);
            publish(part, target);
            return total;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    @Override
    public OutputStream create(String key, String contentType) throws IOException {
        Path target = pathOf(key);
        Path part = Files.createTempFile(tmp, "out-", ".part");
        FileChannel channel = FileChannel.open(part, StandardOpenOption.WRITE);
        return new FilterOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER)) {
            private boolean closed;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                if (closed) {
                    return;
                }
                closed = true;
                try {
                    try {
                        out.flush();
                        channel.force(false);
                    } finally {
                        super.close();
                    }
                    publish(part, target);
                } finally {
                    Files.deleteIfExists(part);
                }
            }
        };
    }

    @Override
    public InputStream read(String key) throws IOException {
        return Files.newInputStream(pathOf(key));
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        Path path = pathOf(key);
        try {
            return Optional.of(new ObjectInfo(key, Files.size(path)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(pathOf(key));
    }

    @Override
    public LocalFile localFile(String key) throws IOException {
        Path path = pathOf(key);
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(key);
        }
        return new LocalFile() {
            @Override
            public Path path() {
                return path;
            }

            @Override
            public void close() {
                // the object itself is the local file: nothing to clean up
            }
        };
    }

    @Override
    public SignedRequest presignPut(String key, long size, String contentType, String sha256, Duration ttl) {
        pathOf(key);
        var grant = new UrlSigner.Grant("PUT", key, expiry(ttl), size, contentType, null).withSha256(sha256);
        URI url = URI.create(ENDPOINT + key + "?m=PUT&e=" + grant.expiresEpochSecond() + "&s=" + size + "&ct="
                + encode(contentType) + digestParam(sha256) + "&sig=" + signer.sign(grant));
        // why: the same If-None-Match as S3's signed one, so a client sends one set of headers to either store
        return new SignedRequest(url, "PUT", Map.of("Content-Type", contentType, "If-None-Match", "*"));
    }

    @Override
    public URI presignGet(String key, String contentType, String downloadName, String sha256, Duration ttl) {
        pathOf(key);
        var grant = new UrlSigner.Grant("GET", key, expiry(ttl), -1, contentType, downloadName).withSha256(sha256);
        return URI.create(ENDPOINT + key + "?m=GET&e=" + grant.expiresEpochSecond() + "&ct=" + encode(contentType)
                + "&fn=" + encode(downloadName) + digestParam(sha256) + "&sig=" + signer.sign(grant));
    }

    /**
     * The body of a signed single PUT: streamed to a temporary file while its SHA-256 is computed, and published
     * only when it has exactly {@code size} bytes and (when one was signed) the declared digest, and only if the key
     * holds no object yet: a used URL can never replace what was stored.
     *
     * @return the number of bytes received; unless it is {@code size}, nothing was stored
     * @throws AlreadyStoredException when the key already holds an object
     * @throws DigestMismatchException when the bytes do not have the declared SHA-256
     */
    long writeOnce(String key, InputStream in, long size, String sha256) throws IOException {
        Path target = pathOf(key);
        if (Files.exists(target)) {
            throw new AlreadyStoredException(key);
        }
        MessageDigest digest = Sha256.newDigest();
        Path part = Files.createTempFile(tmp, "put-", ".part");
        try {
            long total = copyAtMost(new DigestInputStream(in, digest), part, size);
            if (total != size) {
                return total;
            }
            requireDigest(sha256, digest);
            Files.createDirectories(target.getParent());
            try {
                // why: a hard link fails if the target exists, atomically; a rename would silently replace it
                Files.createLink(target, part);
            } catch (FileAlreadyExistsException e) {
                throw new AlreadyStoredException(key);
            }
            forceDirectory(target.getParent());
            return total;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /**
     * A multipart upload is a folder {@code .multipart/{id}} holding a file {@code key} (the
     * object it is for, so an id cannot be used for another key), the parts as files named by
     * their number and each part's MD5 in {@code {n}.etag}.
     */
    @Override
    public String startMultipart(String key, String contentType) throws IOException {
        pathOf(key);
        String id = UUID.randomUUID().toString();
        Path dir = Files.createDirectories(multipart.resolve(id));
        Files.writeString(dir.resolve("key"), key, StandardCharsets.UTF_8);
        return id;
    }

    @Override
    public SignedRequest presignPart(
            String key, String multipartId, int partNumber, long size, String sha256, Duration ttl) {
        pathOf(key);
        checkPart(multipartId, partNumber, size);
        var grant = UrlSigner.Grant.part(key, expiry(ttl), size, multipartId, partNumber, sha256);
        URI url = URI.create(ENDPOINT + key + "?m=PUT&e=" + grant.expiresEpochSecond() + "&s=" + size + "&u="
                + multipartId + "&pn=" + partNumber + digestParam(sha256) + "&sig=" + signer.sign(grant));
        return new SignedRequest(url, "PUT", Map.of());
    }

    /**
     * Stores one part (the body of a signed part PUT) and returns its ETag, the quoted MD5. The
     * part is written to a temporary file and moved into place, so a list never sees half a part. A part whose
     * SHA-256 is not the signed {@code sha256} (when given) is refused and not stored.
     */
    String writePart(String key, String multipartId, int partNumber, InputStream in, long size, String sha256)
            throws IOException {
        checkPart(multipartId, partNumber, size);
        Path dir = uploadDir(key, multipartId);
        MessageDigest md5 = md5();
        MessageDigest digest = Sha256.newDigest();
        Path part = Files.createTempFile(tmp, "part-", ".part");
        try {
            long total = copyAtMost(new DigestInputStream(new DigestInputStream(in, md5), digest), part, size);
            if (total != size) {
                throw new PartsMismatchException("The part has " + total + " bytes but was signed for " + size);
            }
            requireDigest(sha256, digest);
            String etag = HexFormat.of().formatHex(md5.digest());
            Path etagFile = Files.createTempFile(tmp, "etag-", ".part");
            Files.writeString(etagFile, etag, StandardCharsets.UTF_8);
            // why: the etag goes first; a part whose sidecar is stale is caught by complete, which re-hashes every part
            Files.move(
                    etagFile,
                    dir.resolve(partNumber + ".etag"),
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            Files.move(
                    part,
                    dir.resolve(Integer.toString(partNumber)),
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            return "\"" + etag + "\"";
        } finally {
            Files.deleteIfExists(part);
        }
    }

    @Override
    public List<StoredPart> listParts(String key, String multipartId) throws IOException {
        Path dir = uploadDir(key, multipartId);
        List<StoredPart> parts = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (!name.matches("[1-9][0-9]{0,4}")) {
                    continue;
                }
                try {
                    long size = Files.size(file);
                    String etag = Files.readString(dir.resolve(name + ".etag"), StandardCharsets.UTF_8)
                            .strip();
                    parts.add(new StoredPart(Integer.parseInt(name), "\"" + etag + "\"", size));
                } catch (NoSuchFileException e) {
                    // an abort raced the listing: the part is gone
                }
            }
        }
        parts.sort(Comparator.comparingInt(StoredPart::partNumber));
        return parts;
    }

    /**
     * Streams the parts, in order, into the object through {@link #write}, so it is published
     * atomically. Each part is hashed on the way; one whose MD5 differs from the given ETag makes
     * the write fail, which leaves no object behind and the parts untouched.
     */
    @Override
    public void completeMultipart(String key, String multipartId, List<PartETag> parts) throws IOException {
        Path dir = uploadDir(key, multipartId);
        checkOrder(parts);
        for (PartETag part : parts) {
            Path file = dir.resolve(Integer.toString(part.partNumber()));
            if (!Files.isRegularFile(file)) {
                throw new PartsMismatchException("Part " + part.partNumber() + " was not uploaded");
            }
        }
        try (InputStream in = new PartsStream(dir, parts)) {
            write(key, in, Long.MAX_VALUE);
        }
        abortMultipart(key, multipartId);
    }

    @Override
    public void abortMultipart(String key, String multipartId) throws IOException {
        pathOf(key);
        Path dir = multipartDir(multipartId);
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(dir);
    }

    @Override
    public String describe() {
        return "filesystem at " + root;
    }

    UrlSigner signer() {
        return signer;
    }

    Clock clock() {
        return clock;
    }

    /** The file behind a key; refuses anything that is not a plain Chute key (no "..", no absolute paths). */
    Path pathOf(String key) {
        if (key == null || !KEY.matcher(key).matches() || key.contains("..")) {
            throw new IllegalArgumentException("Invalid object key");
        }
        return root.resolve(key);
    }

    private Path multipartDir(String multipartId) {
        if (multipartId == null || !multipartId.matches("[0-9a-f-]{36}")) {
            throw new IllegalArgumentException("Invalid multipart upload id");
        }
        return multipart.resolve(multipartId);
    }

    /** The folder of a multipart upload of {@code key}. @throws NoSuchFileException when there is none */
    private Path uploadDir(String key, String multipartId) throws IOException {
        pathOf(key);
        Path dir = multipartDir(multipartId);
        String owner;
        try {
            owner = Files.readString(dir.resolve("key"), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException("multipart upload " + multipartId);
        }
        if (!owner.equals(key)) {
            throw new NoSuchFileException("multipart upload " + multipartId + " of " + key);
        }
        return dir;
    }

    private static void checkPart(String multipartId, int partNumber, long size) {
        if (multipartId == null || !multipartId.matches("[0-9a-f-]{36}")) {
            throw new IllegalArgumentException("Invalid multipart upload id");
        }
        if (partNumber < 1 || partNumber > MAX_PARTS || size < 0) {
            throw new IllegalArgumentException("Invalid part number or size");
        }
    }

    static void checkOrder(List<PartETag> parts) throws PartsMismatchException {
        if (parts.isEmpty()) {
            throw new PartsMismatchException("No parts were given");
        }
        for (int i = 1; i < parts.size(); i++) {
            if (parts.get(i).partNumber() <= parts.get(i - 1).partNumber()) {
                throw new PartsMismatchException("Parts must be given once each in ascending order");
            }
        }
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The given parts one after the other; at the end of each, its MD5 must match the given ETag. */
    private static final class PartsStream extends InputStream {
        private final Path dir;
        private final List<PartETag> parts;
        private int next;
        private InputStream current;
        private MessageDigest md5;

        PartsStream(Path dir, List<PartETag> parts) {
            this.dir = dir;
            this.parts = parts;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (true) {
                if (current == null) {
                    if (next == parts.size()) {
                        return -1;
                    }
                    md5 = md5();
                    current = new DigestInputStream(
                            Files.newInputStream(
                                    dir.resolve(Integer.toString(parts.get(next).partNumber()))),
                            md5);
                }
                int n = current.read(b, off, len);
                if (n != -1) {
                    return n;
                }
                current.close();
                current = null;
                PartETag part = parts.get(next++);
                if (!HexFormat.of().formatHex(md5.digest()).equals(PartETag.bare(part.etag()))) {
                    throw new PartsMismatchException(
                            "The ETag of part " + part.partNumber() + " does not match the uploaded part");
                }
            }
        }

        @Override
        public void close() throws IOException {
            if (current != null) {
                current.close();
            }
        }
    }

    /**
     * Copies {@code in} to {@code file} and forces it to disk, so that once it is published a crash cannot lose it.
     *
     * @throws ObjectTooLargeException as soon as more than {@code max} bytes came
     */
    private static long copyAtMost(InputStream in, Path file, long max) throws IOException {
        long total = 0;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            Flusher flusher = new Flusher(out);
            try {
                byte[] buffer = new byte[BUFFER];
                ByteBuffer wrapped = ByteBuffer.wrap(buffer);
                for (int n; (n = in.read(buffer)) != -1; ) {
                    total += n;
                    if (total > max) {
                        throw new ObjectTooLargeException(max);
                    }
                    wrapped.clear().limit(n);
                    while (wrapped.hasRemaining()) {
                        out.write(wrapped);
                    }
                    flusher.wrote(n);
                }
            } finally {
                flusher.await();
            }
            out.force(false);
        }
        return total;
    }

    /**
     * Forces what was written so far, on a virtual thread, each time another {@link #EVERY} bytes were written, so that
     * the disk writes a large file while it still arrives and the final force has only the tail left. Without it,
     * Linux holds back up to {@code dirty_background_ratio} of memory (gigabytes) and a file of that size would go to
     * disk only in the final force, after its last byte came. At most one force runs at a time.
     */
    private static final class Flusher {
        static final long EVERY = 32L * 1024 * 1024;

        private final FileChannel channel;
        private long unforced;
        private Thread running;
        private volatile IOException failure;

        Flusher(FileChannel channel) {
            this.channel = channel;
        }

        void wrote(int n) throws IOException {
            if (failure != null) {
                throw failure;
            }
            unforced += n;
            if (unforced >= EVERY && (running == null || !running.isAlive())) {
                unforced = 0;
                running = Thread.ofVirtual().name("force").start(() -> {
                    try {
                        channel.force(false);
                    } catch (IOException e) {
                        failure = e;
                    }
                });
            }
        }

        /** Waits for the running force, if any, so the channel is not closed under it. */
        void await() throws IOException {
            if (running == null) {
                return;
            }
            try {
                running.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("Interrupted while forcing a file to disk");
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    private static void requireDigest(String expected, MessageDigest digest) throws DigestMismatchException {
        if (expected != null && !expected.equals(Sha256.hex(digest))) {
            throw new DigestMismatchException("The body's SHA-256 is not the one declared (" + expected + ")");
        }
    }

    private static String digestParam(String sha256) {
        return sha256 == null ? "" : "&d=" + sha256;
    }

    /** Moves a forced temporary file into place and forces the directory entry too: published means durable. */
    private void publish(Path part, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(target.getParent());
    }

    /**
     * Forces a directory's entries to disk (Linux and macOS allow opening a directory for reading and fsyncing it);
     * where the platform refuses, the rename is as durable as that file system makes it.
     */
    private static void forceDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (AccessDeniedException | UnsupportedOperationException e) {
            // why: Windows cannot open a directory as a channel; NTFS journals the rename itself
        }
    }

    private long expiry(Duration ttl) {
        return clock.instant().plus(ttl).getEpochSecond();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
    }
}
