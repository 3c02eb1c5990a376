package io.chute.processing.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Image fixtures built in memory and written with ImageIO, plus the few byte-level files ImageIO
 * cannot write (EXIF-tagged JPEG, WebP, CMYK JPEG, a lying PNG header).
 *
 * <p>{@link #anImage} is split into quadrants so tests can tell where each corner went:
 * top-left {@link #TOP_LEFT}, top-right {@link #TOP_RIGHT}, bottom-left {@link #BOTTOM_LEFT},
 * bottom-right {@link #BOTTOM_RIGHT}. Colours are saturated so JPEG keeps them recognisable.
 */
final class TestImages {

    static final Color TOP_LEFT = Color.RED;
    static final Color TOP_RIGHT = Color.GREEN;
    static final Color BOTTOM_LEFT = Color.BLUE;
    static final Color BOTTOM_RIGHT = Color.YELLOW;

    private TestImages() {}

    static ImageBuilder anImage(int width, int height) {
        return new ImageBuilder(width, height);
    }

    static final class ImageBuilder {

        private final int width;
        private final int height;
        private Color solid;
        private boolean transparentLeftHalf;
        private Color secondFrame;

        private ImageBuilder(int width, int height) {
            this.width = width;
            this.height = height;
        }

        /** One colour instead of quadrants. */
        ImageBuilder solid(Color color) {
            this.solid = color;
            return this;
        }

        /** ARGB with the left half fully transparent (only PNG keeps it). */
        ImageBuilder withTransparentLeftHalf() {
            this.transparentLeftHalf = true;
            return this;
        }

        /** For {@link #writeGif}: a second animation frame in this colour. */
        ImageBuilder withSecondFrame(Color color) {
            this.secondFrame = color;
            return this;
        }

        BufferedImage build() {
            int type = transparentLeftHalf ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB;
            BufferedImage image = new BufferedImage(width, height, type);
            Graphics2D g = image.createGraphics();
            try {
                if (solid != null) {
                    fill(g, solid, 0, 0, width, height);
                } else {
                    int midX = width / 2;
                    int midY = height / 2;
                    fill(g, TOP_LEFT, 0, 0, midX, midY);
                    fill(g, TOP_RIGHT, midX, 0, width - midX, midY);
                    fill(g, BOTTOM_LEFT, 0, midY, midX, height - midY);
                    fill(g, BOTTOM_RIGHT, midX, midY, width - midX, height - midY);
                }
                if (transparentLeftHalf) {
                    g.setComposite(java.awt.AlphaComposite.Clear);
                    g.fillRect(0, 0, width / 2, height);
                }
            } finally {
                g.dispose();
            }
            return image;
        }

        Path writeJpeg(Path file) throws IOException {
            return write(file, "jpeg");
        }

        /** A JPEG whose EXIF APP1 segment (spliced in right after SOI) carries the orientation. */
        Path writeJpeg(Path file, int exifOrientation) throws IOException {
            return Files.write(file, splicedAfterSoi(encode(build(), "jpeg"), exifApp1(exifOrientation)));
        }

        Path writePng(Path file) throws IOException {
            return write(file, "png");
        }

        Path writeBmp(Path file) throws IOException {
            return write(file, "bmp");
        }

        Path writeTiff(Path file) throws IOException {
            return write(file, "tiff");
        }

        /** A GIF of this image, followed by {@link #withSecondFrame} if one was given. */
        Path writeGif(Path file) throws IOException {
            ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.prepareWriteSequence(null);
                writer.writeToSequence(new IIOImage(build(), null, null), null);
                if (secondFrame != null) {
                    BufferedImage next =
                            anImage(width, height).solid(secondFrame).build();
                    IIOMetadata metadata =
                            writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(next), null);
                    writer.writeToSequence(new IIOImage(next, null, metadata), null);
                }
                writer.endWriteSequence();
            } finally {
                writer.dispose();
            }
            return Files.write(file, bytes.toByteArray());
        }

        private Path write(Path file, String format) throws IOException {
            return Files.write(file, encode(build(), format));
        }

        private static void fill(Graphics2D g, Color color, int x, int y, int w, int h) {
            g.setColor(color);
            g.fillRect(x, y, w, h);
        }
    }

    static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (!ImageIO.write(image, format, bytes)) {
            throw new IllegalStateException("no ImageIO writer for " + format);
        }
        return bytes.toByteArray();
    }

    /** The JPEG with {@code segment} inserted right after its start-of-image marker. */
    static byte[] splicedAfterSoi(byte[] jpeg, byte[] segment) {
        byte[] spliced = new byte[jpeg.length + segment.length];
        System.arraycopy(jpeg, 0, spliced, 0, 2);
        System.arraycopy(segment, 0, spliced, 2, segment.length);
        System.arraycopy(jpeg, 2, spliced, 2 + segment.length, jpeg.length - 2);
        return spliced;
    }

    /**
     * A minimal EXIF APP1 segment: big-endian TIFF header and an IFD0 with one entry,
     * Orientation (tag 0x0112, SHORT, count 1).
     */
    static byte[] exifApp1(int orientation) throws IOException {
        ByteArrayOutputStream tiff = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(tiff);
        out.writeBytes("MM");
        out.writeShort(42);
        out.writeInt(8); // IFD0 right after the 8-byte header
        out.writeShort(1); // one entry
        out.writeShort(0x0112);
        out.writeShort(3); // SHORT
        out.writeInt(1);
        out.writeShort(orientation);
        out.writeShort(0); // value field is 4 bytes, padded
        out.writeInt(0); // no next IFD

        byte[] payload = tiff.toByteArray();
        ByteArrayOutputStream segment = new ByteArrayOutputStream();
        DataOutputStream app1 = new DataOutputStream(segment);
        app1.writeShort(0xFFE1);
        app1.writeShort(2 + 6 + payload.length); // length counts itself, not the marker
        app1.write("Exif\0\0".getBytes(StandardCharsets.US_ASCII));
        app1.write(payload);
        return segment.toByteArray();
    }

    /**
     * A valid lossless (VP8L) WebP of one colour, hand-encoded since the JDK cannot write WebP.
     * Every prefix code is a "simple" code with a single symbol, which takes zero bits to read,
     * so the pixel data is empty and the whole file is 34 bytes whatever its size.
     */
    static byte[] solidLosslessWebp(int width, int height, Color color) throws IOException {
        LsbFirstBits bits = new LsbFirstBits();
        bits.write(0x2F, 8); // VP8L signature
        bits.write(width - 1, 14);
        bits.write(height - 1, 14);
        bits.write(0, 1); // alpha_is_used
        bits.write(0, 3); // version
        bits.write(0, 1); // no transform
        bits.write(0, 1); // no color cache
        bits.write(0, 1); // no meta prefix codes
        // five prefix codes, in decoding order: green, red, blue, alpha, distance
        for (int symbol : new int[] {color.getGreen(), color.getRed(), color.getBlue(), 255, 0}) {
            bits.write(1, 1); // simple code
            bits.write(0, 1); // one symbol
            bits.write(1, 1); // 8-bit symbol
            bits.write(symbol, 8);
        }
        byte[] vp8l = bits.toByteArray();

        ByteArrayOutputStream file = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(file);
        int padding = vp8l.length % 2;
        out.writeBytes("RIFF");
        out.writeInt(Integer.reverseBytes(4 + 8 + vp8l.length + padding));
        out.writeBytes("WEBP");
        out.writeBytes("VP8L");
        out.writeInt(Integer.reverseBytes(vp8l.length));
        out.write(vp8l);
        if (padding == 1) {
            out.write(0);
        }
        return file.toByteArray();
    }

    /**
     * A CMYK JPEG of one colour: the JDK writes the four channels of a raster as they are, and an
     * Adobe APP14 segment (transform 0) spliced after SOI makes readers treat them as CMYK. Values
     * are stored inverted, as Adobe applications do.
     */
    static byte[] cmykJpeg(int width, int height, int c, int m, int y, int k) throws IOException {
        return adobeJpeg(width, height, new int[] {255 - c, 255 - m, 255 - y, 255 - k}, 0);
    }

    /**
     * A YCCK JPEG of one colour (Adobe APP14 transform 2), as Photoshop writes CMYK: the ink amounts
     * of cyan, magenta and yellow are encoded as if they were R, G and B with the JFIF YCbCr
     * equations, and black is stored inverted.
     */
    static byte[] ycckJpeg(int width, int height, int c, int m, int y, int k) throws IOException {
        int luma = (int) Math.round(0.299 * c + 0.587 * m + 0.114 * y);
        int cb = (int) Math.round(128 - 0.168736 * c - 0.331264 * m + 0.5 * y);
        int cr = (int) Math.round(128 + 0.5 * c - 0.418688 * m - 0.081312 * y);
        return adobeJpeg(width, height, new int[] {luma, cb, cr, 255 - k}, 2);
    }

    /** A four-channel JPEG of one stored sample value per channel, with an Adobe APP14 segment of {@code transform}. */
    private static byte[] adobeJpeg(int width, int height, int[] samples, int transform) throws IOException {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, width, height, 4, null);
        for (int row = 0; row < height; row++) {
            for (int col = 0; col < width; col++) {
                raster.setPixel(col, row, samples);
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(raster, null, null), null);
        } finally {
            writer.dispose();
        }
        byte[] adobe = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, (byte) transform};
        return splicedAfterSoi(bytes.toByteArray(), adobe);
    }

    /** A PNG signature and a valid IHDR claiming the given size, followed by garbage. */
    static byte[] pngHeaderClaiming(int width, int height) throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(file);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        DataOutputStream ihdr = new DataOutputStream(chunk);
        ihdr.writeBytes("IHDR");
        ihdr.writeInt(width);
        ihdr.writeInt(height);
        ihdr.writeByte(8); // bit depth
        ihdr.writeByte(2); // truecolour
        ihdr.writeByte(0); // deflate
        ihdr.writeByte(0); // adaptive filtering
        ihdr.writeByte(0); // not interlaced
        byte[] typeAndData = chunk.toByteArray();
        CRC32 crc = new CRC32();
        crc.update(typeAndData);
        out.writeInt(13);
        out.write(typeAndData);
        out.writeInt((int) crc.getValue());
        out.write(randomBytes(256, 7));
        return file.toByteArray();
    }

    /** Random pixels: incompressible, so an encoded file is large for its size. */
    static BufferedImage noise(int width, int height, long seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        java.util.Random random = new java.util.Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(0x1000000));
            }
        }
        return image;
    }

    static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new java.util.Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static final class LsbFirstBits {

        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private int pending;
        private int pendingCount;

        void write(int value, int count) {
            for (int i = 0; i < count; i++) {
                pending |= ((value >>> i) & 1) << pendingCount;
                if (++pendingCount == 8) {
                    bytes.write(pending);
                    pending = 0;
                    pendingCount = 0;
                }
            }
        }

        byte[] toByteArray() {
            if (pendingCount > 0) {
                bytes.write(pending);
                pending = 0;
                pendingCount = 0;
            }
            return bytes.toByteArray();
        }
    }
}
