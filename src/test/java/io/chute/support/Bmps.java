package io.chute.support;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * BMP files written byte by byte, for what the JDK's writer does not make on purpose: RLE8 and RLE4
 * data (as old Windows tools write it) and headers that claim more pixels than the file holds.
 *
 * <p>The RLE encoder here is independent of the JDK's reader that Chute uses, so a test comparing the
 * decoded pixels with the drawn ones checks that reader: each row alternates chunks of
 * {@value #CHUNK} pixels sent as encoded runs (a count and a value) and as absolute runs (the
 * values themselves, padded to 16 bits), then an end-of-line marker; an end-of-bitmap marker
 * closes the data.
 */
public final class Bmps {

    /** Eight colours far apart, so that a JPEG rendition still tells each from the others. */
    public static final Color[] PALETTE = {
        Color.BLACK, Color.WHITE, Color.RED, new Color(0, 160, 0), Color.BLUE, Color.YELLOW, Color.MAGENTA, Color.CYAN
    };

    // why: odd, so absolute runs need their padding byte (RLE8) and an odd nibble count (RLE4)
    private static final int CHUNK = 37;
    private static final int FILE_HEADER = 14;
    private static final int INFO_HEADER = 40;

    private Bmps() {}

    /**
     * A picture in {@link #PALETTE} colours: blocks of {@code block} pixels, the colour of each
     * chosen by its column and row, so no two neighbours share one.
     */
    public static BufferedImage blocks(int width, int height, int block) {
        byte[] r = new byte[PALETTE.length];
        byte[] g = new byte[PALETTE.length];
        byte[] b = new byte[PALETTE.length];
        for (int i = 0; i < PALETTE.length; i++) {
            r[i] = (byte) PALETTE[i].getRed();
            g[i] = (byte) PALETTE[i].getGreen();
            b[i] = (byte) PALETTE[i].getBlue();
        }
        BufferedImage image = new BufferedImage(
                width, height, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, PALETTE.length, r, g, b));
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.getRaster().setSample(x, y, 0, colourAt(x, y, block));
            }
        }
        return image;
    }

    /** The palette index of the block that holds pixel {@code (x, y)} in {@link #blocks}. */
    public static int colourAt(int x, int y, int block) {
        return (x / block + 3 * (y / block)) % PALETTE.length;
    }

    /** {@code image} (indexed, at most 256 colours; 16 for RLE4) as a bottom-up BI_RLE8 or BI_RLE4 BMP. */
    public static byte[] rle(BufferedImage image, boolean rle8) {
        IndexColorModel colours = (IndexColorModel) image.getColorModel();
        int width = image.getWidth();
        int height = image.getHeight();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        int[] row = new int[width];
        for (int y = height - 1; y >= 0; y--) {
            image.getRaster().getSamples(0, y, width, 1, 0, row);
            for (int x = 0, chunk = 0; x < width; x += CHUNK, chunk++) {
                int n = Math.min(CHUNK, width - x);
                if (chunk % 2 == 1 && n >= 3) {
                    absolute(data, Arrays.copyOfRange(row, x, x + n), rle8);
                } else {
                    encoded(data, Arrays.copyOfRange(row, x, x + n), rle8);
                }
            }
            data.write(0);
            data.write(0); // end of line
        }
        data.write(0);
        data.write(1); // end of bitmap
        return bmp(width, height, rle8 ? 8 : 4, rle8 ? 1 : 2, colours, data.toByteArray());
    }

    private static void encoded(ByteArrayOutputStream out, int[] pixels, boolean rle8) {
        for (int i = 0; i < pixels.length; ) {
            int run = 1;
            while (i + run < pixels.length && pixels[i + run] == pixels[i] && run < 255) {
                run++;
            }
            out.write(run);
            // why: RLE8 reads the byte as one index; RLE4 alternates its two nibbles, both the same here
            out.write(rle8 ? pixels[i] : pixels[i] << 4 | pixels[i]);
            i += run;
        }
    }

    private static void absolute(ByteArrayOutputStream out, int[] pixels, boolean rle8) {
        out.write(0);
        out.write(pixels.length);
        int bytes;
        if (rle8) {
            for (int p : pixels) {
                out.write(p);
            }
            bytes = pixels.length;
        } else {
            for (int i = 0; i < pixels.length; i += 2) {
                out.write(pixels[i] << 4 | (i + 1 < pixels.length ? pixels[i + 1] : 0));
            }
            bytes = (pixels.length + 1) / 2;
        }
        if (bytes % 2 == 1) {
            out.write(0);
        }
    }

    /**
     * An uncompressed 24-bit BMP whose header claims {@code width} x {@code height} pixels but whose
     * pixel data is only {@code dataBytes} long (a grey ramp): what an upload cut short looks like.
     */
    public static byte[] truncated24Bit(int width, int height, int dataBytes) {
        byte[] data = new byte[dataBytes];
        for (int i = 0; i < dataBytes; i++) {
            data[i] = (byte) (i / 3 % 251);
        }
        byte[] whole = bmp(width, height, 24, 0, null, data);
        // why: a whole file's header states its full size; the cut file keeps that header
        long rowBytes = ((long) width * 24 + 31) / 32 * 4;
        long claimed = FILE_HEADER + INFO_HEADER + rowBytes * height;
        ByteBuffer.wrap(whole).order(ByteOrder.LITTLE_ENDIAN).putInt(2, (int) Math.min(claimed, Integer.MAX_VALUE));
        return whole;
    }

    /**
     * The first {@code keep} bytes of an RLE BMP, its header made consistent with the shorter file
     * (file size updated, image size 0 = "up to the end"), as a tool that rewrites a cut file leaves it.
     */
    public static byte[] cutRle(byte[] rle, int keep) {
        byte[] cut = Arrays.copyOf(rle, keep);
        ByteBuffer header = ByteBuffer.wrap(cut).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(2, keep);
        header.putInt(FILE_HEADER + 20, 0);
        return cut;
    }

    private static byte[] bmp(int width, int height, int bits, int compression, IndexColorModel colours, byte[] data) {
        int paletteSize = colours == null ? 0 : colours.getMapSize();
        int offset = FILE_HEADER + INFO_HEADER + 4 * paletteSize;
        ByteBuffer out = ByteBuffer.allocate(offset + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put((byte) 'B')
                .put((byte) 'M')
                .putInt(offset + data.length)
                .putInt(0)
                .putInt(offset);
        out.putInt(INFO_HEADER)
                .putInt(width)
                .putInt(height)
                .putShort((short) 1)
                .putShort((short) bits)
                .putInt(compression)
                .putInt(compression == 0 ? 0 : data.length)
                .putInt(2835)
                .putInt(2835)
                .putInt(paletteSize)
                .putInt(0);
        for (int i = 0; i < paletteSize; i++) {
            out.put((byte) colours.getBlue(i))
                    .put((byte) colours.getGreen(i))
                    .put((byte) colours.getRed(i))
                    .put((byte) 0);
        }
        out.put(data);
        return out.array();
    }
}
