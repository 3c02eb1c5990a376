package io.chute.storage;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Objects as files under one root directory. Writes go to a temporary file in the same file
 * system and are moved into place atomically, so a reader never sees half an object. Signed
 * URLs point at Chute's own {@code /objects/**} endpoint ({@link ObjectController}).
 */
public class FileSystemObjectStore implements ObjectStore {

    static final String ENDPOINT = "/objects/";
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}(/[A-Za-z0-9][A-Za-z0-9._-]{0,127}){0,7}");
    private static final int BUFFER = 64 * 1024;

    private final Path root;
    private final Path tmp;
    private final UrlSigner signer;
    private final Clock clock;

    public FileSystemObjectStore(Path root, byte[] signingSecret, Clock clock) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.tmp = this.root.resolve(".tmp");
        this.signer = new UrlSigner(signingSecret);
        this.clock = clock;
        Files.createDirectories(tmp);
    }

    @Override
    public long write(String key, InputStream in, long maxBytes) throws IOException {
        Path target = pathOf(key);
        Path part = Files.createTempFile(tmp, "put-", ".part");
        try {
            long total = 0;
            try (OutputStream out = Files.newOutputStream(part)) {
                byte[] buffer = new byte[BUFFER];
                for (int n; (n = in.read(buffer)) != -1; ) {
                    total += n;
                    if (total > maxBytes) {
                        throw new ObjectTooLargeException(maxBytes);
                    }
                    out.write(buffer, 0, n);
                }
            }
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
        return new FilterOutputStream(Files.newOutputStream(part)) {
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
                    super.close();
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
    public SignedRequest presignPut(String key, long size, String contentType, Duration ttl) {
        pathOf(key);
        var grant = new UrlSigner.Grant("PUT", key, expiry(ttl), size, contentType, null);
        URI url = URI.create(ENDPOINT + key + "?m=PUT&e=" + grant.expiresEpochSecond() + "&s=" + size
                + "&ct=" + encode(contentType) + "&sig=" + signer.sign(grant));
        return new SignedRequest(url, "PUT", Map.of("Content-Type", contentType));
    }

    @Override
    public URI presignGet(String key, String contentType, String downloadName, Duration ttl) {
        pathOf(key);
        var grant = new UrlSigner.Grant("GET", key, expiry(ttl), -1, contentType, downloadName);
        return URI.create(ENDPOINT + key + "?m=GET&e=" + grant.expiresEpochSecond() + "&ct=" + encode(contentType)
                + "&fn=" + encode(downloadName) + "&sig=" + signer.sign(grant));
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

    private void publish(Path part, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private long expiry(Duration ttl) {
        return clock.instant().plus(ttl).getEpochSecond();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
    }
}
