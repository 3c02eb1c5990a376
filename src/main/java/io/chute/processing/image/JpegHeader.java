package io.chute.processing.image;

import io.chute.processing.image.RenditionGeometry.Size;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the pixel size of a JPEG from its frame header (the first SOFn marker), without decoding
 * anything: only the segments before the frame header are read, and skipped, not buffered.
 */
final class JpegHeader {

    private static final int SOI = 0xD8;
    private static final int EOI = 0xD9;
    private static final int SOS = 0xDA;

    private JpegHeader() {}

    /**
     * The stored size (before any EXIF orientation) of the JPEG at {@code file}.
     *
     * @throws Malformed    if the file is not a JPEG or its segments are broken
     * @throws java.io.EOFException if the file ends before its frame header
     * @throws IOException   if the file cannot be read
     */
    static Size size(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readUnsignedByte() != 0xFF || in.readUnsignedByte() != SOI) {
                throw new Malformed("not a JPEG (no SOI marker)");
            }
            while (true) {
                if (in.readUnsignedByte() != 0xFF) {
                    throw new Malformed("corrupt JPEG: expected a marker");
                }
                int marker = in.readUnsignedByte();
                while (marker == 0xFF) {
                    // why: any number of 0xFF fill bytes may precede a marker
                    marker = in.readUnsignedByte();
                }
                if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                    continue; // TEM and RSTn stand alone, without a length
                }
                if (marker == SOS || marker == EOI || marker == SOI) {
                    throw new Malformed("corrupt JPEG: no frame header before the image data");
                }
                int length = in.readUnsignedShort();
                if (length < 2) {
                    throw new Malformed("corrupt JPEG: segment length " + length);
                }
                if (isStartOfFrame(marker)) {
                    in.readUnsignedByte(); // sample precision
                    int height = in.readUnsignedShort();
                    int width = in.readUnsignedShort();
                    if (width == 0 || height == 0) {
                        throw new Malformed("JPEG frame header declares " + width + "x" + height);
                    }
                    return new Size(width, height);
                }
                in.skipNBytes(length - 2L);
            }
        }
    }

    /** The bytes are not a well-formed JPEG header; unlike other IOExceptions, reading again cannot help. */
    static final class Malformed extends IOException {

        Malformed(String message) {
            super(message);
        }
    }

    private static boolean isStartOfFrame(int marker) {
        // why: C4 (DHT), C8 (JPG extension) and CC (DAC) sit in the SOF range but are not frames
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }
}
