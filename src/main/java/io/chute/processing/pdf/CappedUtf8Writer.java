package io.chute.processing.pdf;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * Encodes text as UTF-8 into a stream and stops at a byte limit: what fits is written, never
 * half a character, and the write that reaches the limit throws {@link CapReached}, as does
 * every write after it. Not thread-safe.
 */
public final class CappedUtf8Writer extends Writer {

    /** The limit was reached: the text written so far is all that will be written. */
    public static final class CapReached extends IOException {
        CapReached(long cap) {
            super("text limit of " + cap + " bytes reached");
        }
    }

    private final Writer out;
    private final long cap;
    private long bytes;
    private boolean capped;
    private boolean afterHighSurrogate;

    public CappedUtf8Writer(OutputStream target, long cap) {
        if (cap <= 0) {
            throw new IllegalArgumentException("cap must be positive, was " + cap);
        }
        this.out = new OutputStreamWriter(target, StandardCharsets.UTF_8);
        this.cap = cap;
    }

    /** UTF-8 bytes accepted so far (an upper bound: a lone surrogate is counted as more than its replacement). */
    long bytes() {
        return bytes;
    }

    public boolean capped() {
        return capped;
    }

    @Override
    public void write(char[] chars, int off, int len) throws IOException {
        if (capped) {
            throw new CapReached(cap);
        }
        int fit = 0;
        while (fit < len) {
            char c = chars[off + fit];
            int size = utf8Size(c);
            if (bytes + size > cap) {
                break;
            }
            bytes += size;
            afterHighSurrogate = Character.isHighSurrogate(c);
            fit++;
        }
        out.write(chars, off, fit);
        if (fit < len) {
            capped = true;
            throw new CapReached(cap);
        }
    }

    private int utf8Size(char c) {
        if (c < 0x80) {
            return 1;
        }
        if (c < 0x800) {
            return 2;
        }
        if (Character.isHighSurrogate(c)) {
            // why: the whole 4-byte pair is counted on its first half, so the cap can never fall
            // between the halves of a pair
            return 4;
        }
        if (Character.isLowSurrogate(c) && afterHighSurrogate) {
            return 0;
        }
        return 3;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
