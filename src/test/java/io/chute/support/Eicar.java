package io.chute.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The EICAR anti-virus test file: harmless, and detected as a virus by design. Kept reversed in
 * the source and assembled at run time, so that no file of this repository holds it and virus
 * scanners never flag the repository itself.
 */
public final class Eicar {

    private static final String REVERSED = "*H+H$!ELIF-TSET-SURIVITNA-DRADNATS-RACIE$}7)CC7)^P(45XZP\\4[PA@%P!O5X";

    private Eicar() {}

    /** The 68 bytes of the EICAR test file. */
    public static byte[] bytes() {
        return new StringBuilder(REVERSED).reverse().toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The EICAR bytes as hex, for a signature database. */
    public static String hex() {
        StringBuilder hex = new StringBuilder();
        for (byte b : bytes()) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }

    /**
     * Appends the EICAR bytes to {@code file} (e.g. after a JPEG's end-of-image marker, where
     * decoders and type detection ignore them but a scanner does not) and returns it.
     */
    public static Path appendedTo(Path file) {
        try {
            Files.write(file, bytes(), StandardOpenOption.APPEND);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
