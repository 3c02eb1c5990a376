package io.chute.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Secret keys: taken from configuration when set, otherwise generated once and kept under
 * {@code chute.data-dir/keys} so that tokens and signed URLs stay valid across restarts.
 */
public final class Secrets {

    private static final int KEY_BYTES = 32;

    private Secrets() {}

    /** The configured secret's bytes, or the persisted (created on first use) key file's. */
    public static byte[] load(String configured, Path dataDir, String name) {
        if (configured != null && !configured.isBlank()) {
            byte[] bytes = configured.getBytes(StandardCharsets.UTF_8);
            if (bytes.length < KEY_BYTES) {
                throw new IllegalStateException(
                        "The configured " + name + " secret must be at least " + KEY_BYTES + " bytes long");
            }
            return bytes;
        }
        Path file = dataDir.resolve("keys").resolve(name + ".key");
        try {
            if (Files.exists(file)) {
                return Base64.getDecoder().decode(Files.readString(file).trim());
            }
            Files.createDirectories(file.getParent());
            byte[] key = new byte[KEY_BYTES];
            new SecureRandom().nextBytes(key);
            Path tmp = Files.createTempFile(file.getParent(), name, ".tmp");
            trySetOwnerOnly(tmp);
            Files.writeString(tmp, Base64.getEncoder().encodeToString(key));
            // why: two processes racing on a fresh data dir must end up with one key, not two
            try {
                Files.move(tmp, file);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                Files.delete(tmp);
                return Base64.getDecoder().decode(Files.readString(file).trim());
            }
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the key file " + file, e);
        }
    }

    private static void trySetOwnerOnly(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException ignored) {
            // non-POSIX file systems keep their default permissions
        }
    }
}
