package io.chute.processing.text;

import io.chute.processing.UnprocessableFileException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.mozilla.universalchardet.UniversalDetector;

/**
 * The encoding of a text file, from its first 64 KiB: a byte-order mark decides; else valid
 * UTF-8 is UTF-8 (ASCII included); else Mozilla's detector (juniversalchardet) guesses among
 * the legacy encodings; else windows-1252, which decodes any byte.
 */
final class Encodings {

    private static final int SAMPLE = 64 * 1024;
    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final Charset FALLBACK = Charset.forName("windows-1252");

    private Encodings() {}

    /** @throws UnprocessableFileException if the head holds NUL bytes outside UTF-16: a binary file, not text */
    static Charset detect(Path file) throws IOException {
        byte[] head = head(file);
        if (startsWith(head, UTF8_BOM)) {
            return StandardCharsets.UTF_8;
        }
        if (head.length >= 2
                && ((head[0] == (byte) 0xFE && head[1] == (byte) 0xFF)
                        || (head[0] == (byte) 0xFF && head[1] == (byte) 0xFE))) {
            // why: Java's UTF-16 reads the mark, picks the byte order from it and drops it
            return StandardCharsets.UTF_16;
        }
        for (byte b : head) {
            if (b == 0) {
                throw new UnprocessableFileException("not a text file: it holds NUL bytes");
            }
        }
        if (isUtf8(head, head.length == SAMPLE)) {
            return StandardCharsets.UTF_8;
        }
        UniversalDetector detector = new UniversalDetector();
        detector.handleData(head, 0, head.length);
        detector.dataEnd();
        String guess = detector.getDetectedCharset();
        try {
            return guess != null && Charset.isSupported(guess) ? Charset.forName(guess) : FALLBACK;
        } catch (IllegalArgumentException e) {
            return FALLBACK;
        }
    }

    /** The file's bytes after its UTF-8 byte-order mark, if any (UTF-16's is dropped by its decoder). */
    static InputStream open(Path file, Charset charset) throws IOException {
        InputStream in = Files.newInputStream(file);
        if (charset.equals(StandardCharsets.UTF_8)) {
            byte[] first = in.readNBytes(UTF8_BOM.length);
            if (!Arrays.equals(first, UTF8_BOM)) {
                in.close();
                return Files.newInputStream(file);
            }
        }
        return in;
    }

    private static byte[] head(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(SAMPLE);
        }
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** Valid UTF-8; a sample cut from a longer file may end inside a character. */
    private static boolean isUtf8(byte[] bytes, boolean cut) {
        int length = bytes.length;
        if (cut) {
            // why: back off to the start of the last character so a split sequence is not taken for an error
            int back = 0;
            while (back < 3 && length - back - 1 >= 0 && (bytes[length - back - 1] & 0xC0) == 0x80) {
                back++;
            }
            length = Math.max(0, length - back - 1);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            decoder.decode(ByteBuffer.wrap(bytes, 0, length));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
