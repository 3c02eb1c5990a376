package io.chute.storage;

import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A deterministic pseudo-random stream of a given length: the same seed and length always give
 * the same bytes, so a test can write gigabytes and check them without holding them in memory.
 * It counts what was read from it, so a test can see how far a consumer went.
 */
final class GeneratedBytes extends InputStream {

    private final long seed;
    private final long length;
    private long position;

    GeneratedBytes(long seed, long length) {
        this.seed = seed;
        this.length = length;
    }

    /** How many bytes have been read so far. */
    long consumed() {
        return position;
    }

    @Override
    public int read() {
        if (position >= length) {
            return -1;
        }
        return byteAt(position++) & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        if (position >= length) {
            return -1;
        }
        int n = (int) Math.min(len, length - position);
        for (int i = 0; i < n; i++) {
            b[off + i] = byteAt(position++);
        }
        return n;
    }

    private byte byteAt(long index) {
        return (byte) (mix(seed + (index >>> 3)) >>> ((index & 7) * 8));
    }

    /** SplitMix64's finaliser: well spread bytes from consecutive inputs. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Reads {@code in} to its end and closes it. @return the SHA-256 and the byte count, as "hex/count" */
    static String fingerprint(InputStream in) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long count = 0;
        try (InputStream digesting = new DigestInputStream(in, sha)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = digesting.read(buffer)) != -1; ) {
                count += n;
            }
        }
        return HexFormat.of().formatHex(sha.digest()) + "/" + count;
    }

    static String fingerprint(long seed, long length) throws IOException {
        return fingerprint(new GeneratedBytes(seed, length));
    }
}
