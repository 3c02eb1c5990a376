package io.chute.processing.image;

import io.chute.processing.UnprocessableFileException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks that a BMP holds the pixel data its header promises before anything is decoded, so that a
 * file far too short for the size it claims is refused at once instead of decoded into an image of
 * that size: the JDK's reader pads a short uncompressed file with black when it subsamples, and
 * stops an RLE stream that runs out early without a word, so neither tells a truncated upload from
 * a whole one.
 *
 * <p>Uncompressed pixels (BI_RGB, BI_BITFIELDS) must fit between the data offset and the end of the
 * file. RLE8/RLE4 data is walked (opcodes only, nothing is decoded or kept) and must reach its
 * end-of-bitmap marker, or end its last row, before the data ends. Other compressions (embedded
 * JPEG or PNG) and header variants the check does not know are left to the reader.
 *
 * <p>Hand-written: no image library exposes a BMP's data offset and compression before decoding, and
 * the checks are a few header fields and the RLE opcode grammar.
 */
final class BmpData {

    private static final int FILE_HEADER = 14;
    private static final int CORE_HEADER = 12;
    private static final int BI_RGB = 0;
    private static final int BI_RLE8 = 1;
    private static final int BI_RLE4 = 2;
    private static final int BI_BITFIELDS = 3;
    private static final int BI_ALPHABITFIELDS = 6;

    private BmpData() {}

    /**
     * Refuses a BMP whose pixel data is shorter than its header says.
     *
     * @throws UnprocessableFileException if the file is truncated or its header is impossible
     * @throws IOException                if the file cannot be read
     */
    static void requireComplete(Path file) throws IOException {
        long fileSize = Files.size(file);
        ByteBuffer header = ByteBuffer.allocate(FILE_HEADER + 40).order(ByteOrder.LITTLE_ENDIAN);
        try (InputStream in = Files.newInputStream(file)) {
            header.put(in.readNBytes(header.capacity())).flip();
        }
        if (header.remaining() < FILE_HEADER + 4 || header.get(0) != 'B' || header.get(1) != 'M') {
            throw new UnprocessableFileException("corrupt or truncated image: no complete BMP header");
        }
        long offset = Integer.toUnsignedLong(header.getInt(10));
        long infoSize = Integer.toUnsignedLong(header.getInt(14));
        if (infoSize == CORE_HEADER) {
            if (header.remaining() < FILE_HEADER + CORE_HEADER) {
                throw new UnprocessableFileException("corrupt or truncated image: no complete BMP header");
            }
            int width = Short.toUnsignedInt(header.getShort(18));
            int height = Short.toUnsignedInt(header.getShort(20));
            int bits = Short.toUnsignedInt(header.getShort(24));
            requireUncompressedData(width, height, bits, offset, fileSize);
            return;
        }
        if (infoSize != 40 && infoSize != 52 && infoSize != 56 && infoSize != 108 && infoSize != 124) {
            return; // why: OS/2 2.x and other rare headers: the reader accepts or refuses them itself
        }
        if (header.remaining() < FILE_HEADER + 40) {
            throw new UnprocessableFileException("corrupt or truncated image: no complete BMP header");
        }
        int width = header.getInt(18);
        int height = Math.abs(header.getInt(22));
        int bits = Short.toUnsignedInt(header.getShort(28));
        int compression = header.getInt(30);
        long imageSize = Integer.toUnsignedLong(header.getInt(34));
        switch (compression) {
            case BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS ->
                requireUncompressedData(width, height, bits, offset, fileSize);
            case BI_RLE8, BI_RLE4 ->
                requireCompleteRle(file, compression == BI_RLE8, height, offset, imageSize, fileSize);
            default -> {
                // why: JPEG or PNG inside a BMP: their own decoders notice a truncated stream
            }
        }
    }

    private static void requireUncompressedData(int width, int height, int bits, long offset, long fileSize) {
        if (width <= 0 || height <= 0 || bits <= 0 || bits > 32) {
            throw new UnprocessableFileException(
                    "corrupt image: the BMP header declares " + width + "x" + height + " pixels at " + bits + " bits");
        }
        long rowBytes = ((long) width * bits + 31) / 32 * 4;
        long needed = rowBytes * height;
        if (offset + needed > fileSize) {
            throw new UnprocessableFileException("image data is truncated: the BMP header declares " + width + "x"
                    + height + " pixels at " + bits + " bits, " + needed + " bytes from offset " + offset
                    + ", but the file has " + fileSize + " bytes");
        }
    }

    private static void requireCompleteRle(
            Path file, boolean rle8, int height, long offset, long imageSize, long fileSize) throws IOException {
        String kind = rle8 ? "RLE8" : "RLE4";
        if (imageSize != 0 && offset + imageSize > fileSize) {
            throw new UnprocessableFileException("image data is truncated: the BMP header declares " + imageSize
                    + " bytes of " + kind + " data from offset " + offset + ", but the file has " + fileSize
                    + " bytes");
        }
        if (offset >= fileSize) {
            throw new UnprocessableFileException("image data is truncated: the " + kind + " BMP has no pixel data");
        }
        long length = imageSize != 0 ? imageSize : fileSize - offset;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024)) {
            in.skipNBytes(offset);
            if (!reachesTheEnd(new Bounded(in, length), rle8, height)) {
                throw new UnprocessableFileException(
                        "image data is truncated: the " + kind + " data ends before its end-of-bitmap marker");
            }
        } catch (EOFException ended) {
            throw new UnprocessableFileException(
                    "image data is truncated: the " + kind + " data ends before its end-of-bitmap marker", ended);
        }
    }

    /** Walks RLE opcodes: true at the end-of-bitmap marker or when the last row has ended. */
    private static boolean reachesTheEnd(Bounded in, boolean rle8, int height) throws IOException {
        long rows = 0;
        while (true) {
            int count = in.next();
            int code = in.next();
            if (count != 0) {
                continue; // encoded run: count pixels of one value (RLE4: two alternating values)
            }
            switch (code) {
                case 0 -> rows++; // end of line
                case 1 -> {
                    return true; // end of bitmap
                }
                case 2 -> {
                    in.next(); // delta: right by one byte, down by the next
                    rows += in.next();
                }
                default -> {
                    // absolute run of `code` pixels, padded to a 16-bit boundary
                    long bytes = rle8 ? code : (code + 1) / 2;
                    in.skip(bytes + (bytes & 1));
                }
            }
            if (rows >= height) {
                return true;
            }
        }
    }

    /** The RLE data: at most {@code length} bytes, then EOF. */
    private static final class Bounded {

        private final InputStream in;
        private long left;

        Bounded(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        int next() throws IOException {
            if (left <= 0) {
                throw new EOFException();
            }
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            left--;
            return b;
        }

        void skip(long n) throws IOException {
            if (n > left) {
                throw new EOFException();
            }
            in.skipNBytes(n);
            left -= n;
        }
    }
}
