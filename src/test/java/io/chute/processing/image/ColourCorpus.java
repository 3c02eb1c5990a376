package io.chute.processing.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.LibVips;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * Colour-tagged copies of one sRGB reference picture, made at test time by libvips's colour
 * management (its built-in profiles): what a renderer shows of each must match the reference.
 */
final class ColourCorpus {

    static final int WIDTH = 96;
    static final int HEIGHT = 64;

    private ColourCorpus() {}

    /** The sRGB reference: smooth ramps of moderate saturation (inside every gamut tested, so no clipping). */
    static BufferedImage reference() {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                int r = 60 + 140 * x / WIDTH;
                int g = 70 + 120 * y / HEIGHT;
                int b = 180 - 110 * x / WIDTH;
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return image;
    }

    /** Writes the reference as an untagged PNG into {@code dir}. */
    static Path referencePng(Path dir) throws IOException {
        Path file = dir.resolve("reference.png");
        if (!Files.exists(file)) {
            ImageIO.write(reference(), "png", file.toFile());
        }
        return file;
    }

    /** The corpus file {@code name} (see {@link #NAMES}), made in {@code dir}. */
    static Path make(Path dir, String name) throws IOException, InterruptedException {
        Path reference = referencePng(dir);
        Path out = dir.resolve(name);
        switch (name) {
            case "display-p3.jpg" ->
                vips(
                        dir,
                        "icc_transform",
                        reference.toString(),
                        out + "[Q=95]",
                        "p3",
                        "--input-profile",
                        "srgb",
                        "--embedded");
            case "adobe-rgb.jpg" ->
                vips(
                        dir,
                        "icc_transform",
                        reference.toString(),
                        out + "[Q=95]",
                        MatrixProfiles.adobeRgb(dir).toString(),
                        "--input-profile",
                        "srgb",
                        "--embedded");
            case "prophoto.jpg" ->
                vips(
                        dir,
                        "icc_transform",
                        reference.toString(),
                        out + "[Q=95]",
                        MatrixProfiles.proPhoto(dir).toString(),
                        "--input-profile",
                        "srgb",
                        "--embedded");
            case "cmyk-with-profile.jpg" ->
                vips(dir, "icc_transform", reference.toString(), out + "[Q=95]", "cmyk", "--input-profile", "srgb");
            case "cmyk-without-profile.jpg" -> {
                Path tagged = make(dir, "cmyk-with-profile.jpg");
                vips(dir, "copy", tagged.toString(), out + "[Q=95,strip]");
            }
            case "cmyk-perceptual-only.jpg" ->
                vips(
                        dir,
                        "icc_transform",
                        reference.toString(),
                        out + "[Q=95]",
                        standardCmykWithout(dir, "A2B1", "A2B2").toString(),
                        "--input-profile",
                        "srgb");
            case "cmyk-unusable-profile.jpg" ->
                vips(
                        dir,
                        "icc_transform",
                        reference.toString(),
                        out + "[Q=95]",
                        standardCmykWithout(dir, "A2B0", "A2B1", "A2B2").toString(),
                        "--input-profile",
                        "srgb");
            case "lossy.webp" -> vips(dir, "copy", reference.toString(), out + "[Q=90]");
            case "16-bit.png" -> {
                Path wide = dir.resolve("wide.v");
                vips(dir, "cast", reference.toString(), wide.toString(), "ushort");
                Path scaled = dir.resolve("scaled.v");
                vips(dir, "linear", wide.toString(), scaled.toString(), "257", "0");
                Path cast = dir.resolve("cast.v");
                vips(dir, "cast", scaled.toString(), cast.toString(), "ushort");
                vips(dir, "copy", cast.toString(), out.toString(), "--interpretation", "rgb16");
            }
            default -> throw new IllegalArgumentException("no recipe for " + name);
        }
        return out;
    }

    static final List<String> NAMES = List.of(
            "display-p3.jpg",
            "adobe-rgb.jpg",
            "prophoto.jpg",
            "cmyk-with-profile.jpg",
            "cmyk-without-profile.jpg",
            "cmyk-perceptual-only.jpg",
            "cmyk-unusable-profile.jpg",
            "lossy.webp",
            "16-bit.png");

    /** The RGB corpus files whose pixels differ from the reference unless their profile is applied. */
    static final List<String> WIDE_GAMUT = List.of("display-p3.jpg", "adobe-rgb.jpg", "prophoto.jpg");

    /**
     * The standard CMYK profile ({@link CmykJpeg#STANDARD_PROFILE}, libvips' {@code cmyk}) without
     * the tags {@code dropped}, written into {@code dir}. Its colour-to-device tables (B2A*) stay, so
     * libvips can still write CMYK with it; without A2B1 and A2B2 it has only its perceptual table
     * for reading, without any A2B* it cannot be read into colour at all.
     *
     * <p>No tool here edits ICC tags, so the tag table is rewritten by hand: each entry is a
     * signature, an offset from the start of the file and a size; dropping an entry shortens the
     * table by 12 bytes and moves every tag's data (kept as it is) back by as much.
     */
    static Path standardCmykWithout(Path dir, String... dropped) throws IOException {
        byte[] profile;
        try (InputStream in = CmykJpeg.class.getResourceAsStream(CmykJpeg.STANDARD_PROFILE)) {
            profile = Objects.requireNonNull(in, CmykJpeg.STANDARD_PROFILE).readAllBytes();
        }
        ByteBuffer source = ByteBuffer.wrap(profile);
        int count = source.getInt(128);
        List<int[]> kept = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int entry = 132 + 12 * i;
            String signature = new String(profile, entry, 4, StandardCharsets.US_ASCII);
            if (!List.of(dropped).contains(signature)) {
                kept.add(new int[] {source.getInt(entry), source.getInt(entry + 4), source.getInt(entry + 8)});
            }
        }
        assertThat(count - kept.size()).as("tags dropped").isEqualTo(dropped.length);
        int shift = 12 * (count - kept.size());
        int dataStart = 132 + 12 * count;
        ByteBuffer edited = ByteBuffer.allocate(profile.length - shift);
        edited.put(profile, 0, 128);
        edited.putInt(kept.size());
        for (int[] tag : kept) {
            edited.putInt(tag[0]).putInt(tag[1] - shift).putInt(tag[2]);
        }
        edited.put(profile, dataStart, profile.length - dataStart);
        edited.putInt(0, edited.capacity());
        edited.put(84, new byte[16]); // profile ID: an MD5 of the original bytes, now "not computed"
        return Files.write(dir.resolve("cmyk-without-" + String.join("-", dropped) + ".icc"), edited.array());
    }

    /** The error of {@code file}'s pixels taken as they are, its profile ignored (to show the corpus needs it). */
    static double errorIgnoringProfile(Path file) throws IOException, InterruptedException {
        Path raw = file.resolveSibling("raw-" + file.getFileName() + ".png");
        vips(file.getParent(), "copy", file.toString(), raw + "[strip]");
        return meanAbsoluteError(ImageIO.read(raw.toFile()));
    }

    /** Mean absolute error per channel (0-255) between {@code image} and the reference, both read as sRGB. */
    static double meanAbsoluteError(BufferedImage image) {
        BufferedImage reference = reference();
        assertThat(image.getWidth()).isEqualTo(WIDTH);
        assertThat(image.getHeight()).isEqualTo(HEIGHT);
        long sum = 0;
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                int a = image.getRGB(x, y);
                int b = reference.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    sum += Math.abs(((a >> shift) & 0xFF) - ((b >> shift) & 0xFF));
                }
            }
        }
        return sum / (3.0 * WIDTH * HEIGHT);
    }

    private static void vips(Path dir, String... arguments) throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(List.of(LibVips.tools().resolve("vips").toString()));
        command.addAll(List.of(arguments));
        Path log = Files.createTempFile(dir, "vips-", ".log");
        Process vips = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        assertThat(vips.waitFor(60, TimeUnit.SECONDS))
                .as("vips made a corpus file")
                .isTrue();
        assertThat(vips.exitValue()).as(command + ": " + Files.readString(log)).isZero();
    }
}
