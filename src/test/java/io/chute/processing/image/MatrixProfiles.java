package io.chute.processing.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ICC v2 matrix/TRC display profiles written from their published primaries, for colour spaces
 * whose profile files are not on a test machine (Adobe RGB (1998), ProPhoto RGB). Colorants are
 * the D50-adapted (Bradford) XYZ values the reference profiles carry.
 */
final class MatrixProfiles {

    private static final double[] D50 = {0.9642, 1.0, 0.8249};

    private MatrixProfiles() {}

    static Path adobeRgb(Path dir) throws IOException {
        return write(
                dir.resolve("AdobeRGB1998.icc"),
                "Adobe RGB (1998) compatible",
                563 / 256.0,
                new double[] {0.6097559, 0.3111242, 0.0194811},
                new double[] {0.2052401, 0.6256560, 0.0608902},
                new double[] {0.1492240, 0.0632197, 0.7448387});
    }

    static Path proPhoto(Path dir) throws IOException {
        return write(
                dir.resolve("ProPhotoRGB.icc"),
                "ProPhoto RGB compatible",
                1.8,
                new double[] {0.7976749, 0.2880402, 0.0},
                new double[] {0.1351917, 0.7118741, 0.0},
                new double[] {0.0313534, 0.0000857, 0.8251046});
    }

    private static Path write(Path file, String name, double gamma, double[] red, double[] green, double[] blue)
            throws IOException {
        Map<String, byte[]> tags = new LinkedHashMap<>();
        tags.put("desc", description(name));
        tags.put("cprt", text("No copyright, test profile"));
        tags.put("wtpt", xyz(D50));
        tags.put("rXYZ", xyz(red));
        tags.put("gXYZ", xyz(green));
        tags.put("bXYZ", xyz(blue));
        byte[] curve = curve(gamma);
        tags.put("rTRC", curve);
        tags.put("gTRC", curve);
        tags.put("bTRC", curve);

        int tableSize = 4 + 12 * tags.size();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        ByteBuffer table = ByteBuffer.allocate(tableSize);
        table.putInt(tags.size());
        int offset = 128 + tableSize;
        for (Map.Entry<String, byte[]> tag : tags.entrySet()) {
            table.put(tag.getKey().getBytes(StandardCharsets.US_ASCII))
                    .putInt(offset + data.size())
                    .putInt(tag.getValue().length);
            data.write(tag.getValue());
            while (data.size() % 4 != 0) {
                data.write(0);
            }
        }
        int size = offset + data.size();
        ByteBuffer header = ByteBuffer.allocate(128);
        header.putInt(size)
                .putInt(0)
                .putInt(0x02100000)
                .put(ascii("mntr"))
                .put(ascii("RGB "))
                .put(ascii("XYZ "));
        header.putShort((short) 2026)
                .putShort((short) 1)
                .putShort((short) 1)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) 0);
        header.put(ascii("acsp"))
                .putInt(0)
                .putInt(0)
                .putInt(0)
                .putInt(0)
                .putLong(0)
                .putInt(0);
        header.putInt(fixed(D50[0])).putInt(fixed(D50[1])).putInt(fixed(D50[2]));
        ByteArrayOutputStream profile = new ByteArrayOutputStream(size);
        profile.write(header.array());
        profile.write(table.array());
        profile.write(data.toByteArray());
        return Files.write(file, profile.toByteArray());
    }

    private static byte[] description(String name) {
        byte[] ascii = (name + "\0").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer tag = ByteBuffer.allocate(12 + ascii.length + 4 + 4 + 2 + 1 + 67);
        tag.put(ascii("desc")).putInt(0).putInt(ascii.length).put(ascii);
        tag.putInt(0).putInt(0).putShort((short) 0).put((byte) 0).put(new byte[67]);
        return tag.array();
    }

    private static byte[] text(String value) {
        byte[] ascii = (value + "\0").getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(8 + ascii.length)
                .put(ascii("text"))
                .putInt(0)
                .put(ascii)
                .array();
    }

    private static byte[] xyz(double[] value) {
        return ByteBuffer.allocate(20)
                .put(ascii("XYZ "))
                .putInt(0)
                .putInt(fixed(value[0]))
                .putInt(fixed(value[1]))
                .putInt(fixed(value[2]))
                .array();
    }

    private static byte[] curve(double gamma) {
        return ByteBuffer.allocate(14)
                .put(ascii("curv"))
                .putInt(0)
                .putInt(1)
                .putShort((short) Math.round(gamma * 256))
                .array();
    }

    private static int fixed(double value) {
        return (int) Math.round(value * 65536);
    }

    private static byte[] ascii(String signature) {
        return signature.getBytes(StandardCharsets.US_ASCII);
    }
}
