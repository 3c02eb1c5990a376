package io.chute.processing.image;

import io.chute.processing.UnprocessableFileException;
import io.chute.processing.image.RenditionSpec.Mode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static io.chute.processing.image.ImageAssertions.assertColor;
import static io.chute.processing.image.ImageAssertions.assertCorners;
import static io.chute.processing.image.TestImages.BOTTOM_LEFT;
import static io.chute.processing.image.TestImages.BOTTOM_RIGHT;
import static io.chute.processing.image.TestImages.TOP_LEFT;
import static io.chute.processing.image.TestImages.TOP_RIGHT;
import static io.chute.processing.image.TestImages.anImage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/** The libvips engine, run against the real libvips tools; and its equivalence with the Java engine. */
class VipsRenditionsTest {

    private static final long MAX_PIXELS = 50_000_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final List<RenditionSpec> AS_IS = List.of(new RenditionSpec("as-is", 4000, 4000, Mode.FIT));

    @TempDir
    static Path shared;
    private static VipsRenditions vips;

    @TempDir
    Path dir;

    private final ImageRenditions javaEngine = new ImageRenditions(MAX_PIXELS);

    @BeforeAll
    static void startLibvips() throws IOException {
        vips = VipsRenditions.start(LibVips.tools(), MAX_PIXELS, TIMEOUT, shared.resolve("tmp"));
    }

    // --- the same renditions as the Java engine

    /** Fixtures both engines read, by name. */
    static Stream<String> commonFixtures() {
        return Stream.of("jpeg 4000x3000", "jpeg 1200x900", "jpeg 4000x3000 orientation 6", "jpeg 3840x2163",
                "jpeg 150x100", "png 1200x800 with alpha", "png 2000x100 panorama", "png 100x3000 tower",
                "gif 300x200", "webp 300x200", "cmyk jpeg 300x200");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commonFixtures")
    void givesTheSameSizesAsTheJavaEngine(String fixture) throws IOException {
        Path image = fixture(fixture);

        List<Rendition> byVips = vips.render(image, ImageRenditions.standardSpecs(), sinkInto("vips"));
        List<Rendition> byJava = javaEngine.render(image, ImageRenditions.standardSpecs(), sinkInto("java"));

        assertThat(byVips).extracting(Rendition::name, Rendition::width, Rendition::height, Rendition::contentType)
                .containsExactlyElementsOf(byJava.stream()
                        .map(r -> tuple(r.name(), r.width(), r.height(), r.contentType())).toList());
        for (Rendition rendition : byVips) {
            Path file = output("vips", rendition.name());
            assertThat(rendition.size()).isEqualTo(Files.size(file));
            BufferedImage decoded = ImageIO.read(file.toFile());
            assertThat(decoded.getWidth()).isEqualTo(rendition.width());
            assertThat(decoded.getHeight()).isEqualTo(rendition.height());
        }
    }

    @Test
    void rendersTheStandardSpecsOfAPhoto() throws IOException {
        Path photo = anImage(4000, 3000).writeJpeg(dir.resolve("photo.jpg"));

        List<Rendition> result = vips.render(photo, ImageRenditions.standardSpecs(), sinkInto("out"));

        assertThat(result).extracting(Rendition::name, Rendition::width, Rendition::height).containsExactly(
                tuple("thumbnail", 200, 200), tuple("medium", 800, 600), tuple("large", 1920, 1440));
        for (Rendition rendition : result) {
            assertCorners(ImageIO.read(output("out", rendition.name()).toFile()), TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT, BOTTOM_RIGHT);
        }
    }

    @ParameterizedTest(name = "orientation {0}")
    @CsvSource({
            // orientation, upright size, then which source corner shows at TL, TR, BL, BR
            "1, 400, 300, TL, TR, BL, BR",
            "2, 400, 300, TR, TL, BR, BL",
            "3, 400, 300, BR, BL, TR, TL",
            "4, 400, 300, BL, BR, TL, TR",
            "5, 300, 400, TL, BL, TR, BR",
            "6, 300, 400, BL, TL, BR, TR",
            "7, 300, 400, BR, TR, BL, TL",
            "8, 300, 400, TR, BR, TL, BL",
    })
    void appliesExifOrientation(int orientation, int width, int height,
                                String topLeft, String topRight, String bottomLeft, String bottomRight)
            throws IOException {
        Path photo = anImage(400, 300).writeJpeg(dir.resolve("photo.jpg"), orientation);

        Rendition rendition = vips.render(photo, AS_IS, sinkInto("out")).getFirst();

        BufferedImage upright = ImageIO.read(output("out", "as-is").toFile());
        assertThat(rendition.width()).isEqualTo(width).isEqualTo(upright.getWidth());
        assertThat(rendition.height()).isEqualTo(height).isEqualTo(upright.getHeight());
        assertCorners(upright, corner(topLeft), corner(topRight), corner(bottomLeft), corner(bottomRight));
    }

    @Test
    void sizesRenditionsMadeFromTheSourceInUprightCoordinates() throws IOException {
        // the first rendition (75x100) cannot serve the second, which is made from the rotated source
        Path photo = anImage(400, 300).writeJpeg(dir.resolve("photo.jpg"), 6);
        List<RenditionSpec> specs = List.of(
                new RenditionSpec("strip", 1000, 100, Mode.FIT), new RenditionSpec("square", 300, 300, Mode.FIT));

        List<Rendition> result = vips.render(photo, specs, sinkInto("out"));

        assertThat(result).extracting(Rendition::name, Rendition::width, Rendition::height)
                .containsExactly(tuple("strip", 75, 100), tuple("square", 225, 300));
        assertCorners(ImageIO.read(output("out", "square").toFile()), BOTTOM_LEFT, TOP_LEFT, BOTTOM_RIGHT, TOP_RIGHT);
    }

    @Test
    void flattensTransparencyOntoWhite() throws IOException {
        Path png = anImage(200, 100).solid(Color.RED).withTransparentLeftHalf().writePng(dir.resolve("logo.png"));

        vips.render(png, AS_IS, sinkInto("out"));

        BufferedImage flattened = ImageIO.read(output("out", "as-is").toFile());
        assertColor(flattened, 20, 50, Color.WHITE);
        assertColor(flattened, 180, 50, Color.RED);
    }

    @Test
    void convertsCmykToRgb() throws IOException {
        Path cmyk = Files.write(dir.resolve("print.jpg"), TestImages.cmykJpeg(300, 200, 0, 255, 255, 0));

        vips.render(cmyk, AS_IS, sinkInto("out"));

        BufferedImage decoded = ImageIO.read(output("out", "as-is").toFile());
        assertThat(decoded.getColorModel().getNumComponents()).isEqualTo(3);
        Color center = new Color(decoded.getRGB(150, 100));
        assertThat(center.getRed()).isGreaterThan(200);
        assertThat(center.getGreen()).isLessThan(80);
        assertThat(center.getBlue()).isLessThan(80);
    }

    @Test
    void stripsMetadata() throws IOException {
        Path photo = anImage(400, 300).writeJpeg(dir.resolve("photo.jpg"), 6);

        vips.render(photo, AS_IS, sinkInto("out"));

        byte[] jpeg = Files.readAllBytes(output("out", "as-is"));
        assertThat(new String(jpeg, StandardCharsets.ISO_8859_1)).doesNotContain("Exif");
    }

    @Test
    void copiesARenditionThatIsTheSameAsALargerOneInsteadOfReencodingIt() throws IOException {
        Path photo = anImage(150, 100).writeJpeg(dir.resolve("photo.jpg"));

        List<Rendition> result = vips.render(photo, ImageRenditions.standardSpecs(), sinkInto("out"));

        assertThat(result).extracting(Rendition::width, Rendition::height).containsOnly(tuple(150, 100));
        byte[] large = Files.readAllBytes(output("out", "large"));
        assertThat(Files.readAllBytes(output("out", "medium"))).isEqualTo(large);
        assertThat(Files.readAllBytes(output("out", "thumbnail"))).isEqualTo(large);
    }

    // --- formats only libvips reads

    @Test
    void rendersTiff() throws IOException {
        Path tiff = anImage(400, 300).writeTiff(dir.resolve("scan.tif"));

        List<Rendition> result = vips.render(tiff, ImageRenditions.standardSpecs(), sinkInto("out"));

        assertThat(vips.mediaTypes()).contains("image/tiff");
        assertThat(result).extracting(Rendition::width, Rendition::height)
                .containsExactly(tuple(200, 200), tuple(400, 300), tuple(400, 300));
        assertCorners(ImageIO.read(output("out", "large").toFile()), TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT, BOTTOM_RIGHT);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"probe.heic, image/heic", "probe.avif, image/avif"})
    void rendersHeifFormatsExactlyWhenItSaysItReadsThem(String sample, String mediaType) throws IOException {
        Path file = dir.resolve(sample);
        try (InputStream in = VipsRenditions.class.getResourceAsStream(sample)) {
            Files.copy(in, file);
        }

        if (vips.mediaTypes().contains(mediaType)) {
            List<Rendition> result = vips.render(file, ImageRenditions.standardSpecs(), sinkInto("out"));
            assertThat(result).extracting(Rendition::width, Rendition::height).containsOnly(tuple(16, 16));
        } else {
            assertUnprocessable(file, "not a supported image format");
        }
    }

    // --- refusals

    @Test
    void refusesADecompressionBombFromItsHeaderAlone() throws IOException {
        // the data after IHDR is garbage: libvips would fail with another message
        Path bomb = Files.write(dir.resolve("bomb.png"), TestImages.pngHeaderClaiming(100_000, 100_000));

        assertUnprocessable(bomb, "image has 10000000000 pixels, limit is 50000000");
    }

    @Test
    void refusesAGifWhoseFrameIsLargerThanItsScreen() throws IOException {
        // libvips grows the canvas to the frame: the size that counts is the one libvips reports
        Path bomb = Files.write(dir.resolve("bomb.gif"), gifWithFrame(10, 10, 30_000, 30_000));

        assertUnprocessable(bomb, "image has 900000000 pixels, limit is 50000000");
    }

    @Test
    void refusesImagesAboveTheConfiguredPixelLimit() throws IOException {
        Path photo = anImage(100, 100).writeJpeg(dir.resolve("photo.jpg"));
        VipsRenditions strict = new VipsRenditions(LibVips.tools(), "test", Set.of(VipsRenditions.Format.JPEG), 9_999,
                TIMEOUT, dir.resolve("tmp"));

        assertThatExceptionOfType(UnprocessableFileException.class)
                .isThrownBy(() -> strict.render(photo, AS_IS, sinkInto("out")))
                .withMessage("image has 10000 pixels, limit is 9999");
    }

    @Test
    void refusesFormatsOutsideTheAllowList() throws IOException {
        Path bmp = anImage(100, 100).writeBmp(dir.resolve("image.bmp"));
        Path svg = Files.writeString(dir.resolve("image.svg"),
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" height=\"100\"/>");
        Path noise = Files.write(dir.resolve("noise.jpg"), TestImages.randomBytes(4096, 1));

        assertUnprocessable(bmp, "not a supported image format");
        assertUnprocessable(svg, "not a supported image format");
        assertUnprocessable(noise, "not a supported image format");
    }

    @Test
    void refusesAnEmptyFile() throws IOException {
        assertUnprocessable(Files.createFile(dir.resolve("empty.jpg")), "file is empty");
    }

    @Test
    void refusesATruncatedJpegWithLibvipsOwnMessage() throws IOException {
        byte[] jpeg = TestImages.encode(TestImages.noise(400, 300, 5), "jpeg");
        Path truncated = Files.write(dir.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));

        assertUnprocessable(truncated, "corrupt or truncated image: VipsJpeg: Premature end of");
    }

    @Test
    void refusesAJpegThatLacksOnlyItsEndMarkerUnlikeTheJavaEngine() throws IOException {
        // libvips cannot tell complete data without EOI from a cut file, and a grey-padded
        // rendition of a cut upload is worse than refusing the rare file that only lacks EOI
        byte[] jpeg = TestImages.encode(TestImages.noise(400, 300, 5), "jpeg");
        Path noEoi = Files.write(dir.resolve("no-eoi.jpg"), Arrays.copyOf(jpeg, jpeg.length - 2));

        assertUnprocessable(noEoi, "corrupt or truncated image: VipsJpeg: Premature end of");
        assertThat(javaEngine.render(noEoi, AS_IS, sinkInto("java"))).hasSize(1);
    }

    @Test
    void refusesAJpegCutInsideItsHeader() throws IOException {
        byte[] jpeg = TestImages.encode(anImage(400, 300).build(), "jpeg");
        Path cut = Files.write(dir.resolve("cut.jpg"), Arrays.copyOf(jpeg, 100));

        assertUnprocessable(cut, "corrupt or truncated image");
    }

    @Test
    void refusesATruncatedPng() throws IOException {
        byte[] png = TestImages.encode(TestImages.noise(200, 200, 3), "png");
        Path truncated = Files.write(dir.resolve("truncated.png"), Arrays.copyOf(png, png.length / 2));

        assertUnprocessable(truncated, "corrupt or truncated image");
    }

    @Test
    void aMissingFileIsAnIoErrorNotABadFile() {
        assertThatThrownBy(() -> vips.render(dir.resolve("gone.jpg"), AS_IS, sinkInto("out")))
                .isInstanceOf(NoSuchFileException.class);
    }

    // --- the child processes

    @Test
    void aMissingLibvipsIsATransientFailure() throws IOException {
        Path photo = anImage(100, 100).writeJpeg(dir.resolve("photo.jpg"));
        VipsRenditions gone = new VipsRenditions(Files.createDirectories(dir.resolve("no-tools")), "test",
                Set.of(VipsRenditions.Format.JPEG), MAX_PIXELS, TIMEOUT, dir.resolve("tmp"));

        assertThatThrownBy(() -> gone.render(photo, AS_IS, sinkInto("out")))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(UnprocessableFileException.class)
                .hasMessageContaining("vips");
    }

    @Test
    void killsAStuckLibvipsAndItsChildrenAtTheTimeout() throws IOException {
        Path pids = Files.createDirectories(dir.resolve("pids"));
        VipsRenditions stuck = new VipsRenditions(stuckTools(pids), "test", Set.of(VipsRenditions.Format.JPEG),
                MAX_PIXELS, Duration.ofMillis(500), dir.resolve("tmp"));
        Path photo = anImage(100, 100).writeJpeg(dir.resolve("photo.jpg"));

        assertThatThrownBy(() -> stuck.render(photo, AS_IS, sinkInto("out")))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(UnprocessableFileException.class)
                .hasMessageContaining("did not finish within PT0.5S and was killed");

        await().atMost(Duration.ofSeconds(10)).until(() -> !isAlive(pids.resolve("vips")) && !isAlive(pids.resolve("child")));
        assertThat(dir.resolve("tmp")).isEmptyDirectory();
    }

    @Test
    void killsLibvipsWhenTheThreadIsInterrupted() throws Exception {
        Path pids = Files.createDirectories(dir.resolve("pids"));
        VipsRenditions stuck = new VipsRenditions(stuckTools(pids), "test", Set.of(VipsRenditions.Format.JPEG),
                MAX_PIXELS, Duration.ofMinutes(10), dir.resolve("tmp"));
        Path photo = anImage(100, 100).writeJpeg(dir.resolve("photo.jpg"));
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread worker = Thread.ofPlatform().start(() -> {
            try {
                stuck.render(photo, AS_IS, sinkInto("out"));
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pids.resolve("child")));

        worker.interrupt();

        await().atMost(Duration.ofSeconds(10)).until(() -> !worker.isAlive());
        assertThat(thrown.get()).isInstanceOf(InterruptedIOException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> !isAlive(pids.resolve("vips")) && !isAlive(pids.resolve("child")));
    }

    @Test
    void oneInstanceRendersConcurrentlyOnSeveralThreads() throws Exception {
        Path jpeg = anImage(1600, 1200).writeJpeg(dir.resolve("photo.jpg"), 6);
        Path png = anImage(1600, 1200).writePng(dir.resolve("photo.png"));
        List<Callable<List<Rendition>>> jobs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Path source = i % 2 == 0 ? jpeg : png;
            String out = "out" + i;
            jobs.add(() -> vips.render(source, ImageRenditions.standardSpecs(), sinkInto(out)));
        }

        List<List<Rendition>> results = new ArrayList<>();
        try (ExecutorService workers = Executors.newFixedThreadPool(4)) {
            for (Future<List<Rendition>> future : workers.invokeAll(jobs)) {
                results.add(future.get());
            }
        }

        for (int i = 0; i < results.size(); i++) {
            assertThat(results.get(i)).extracting(Rendition::width, Rendition::height).containsExactly(i % 2 == 0
                    ? new org.assertj.core.groups.Tuple[] {tuple(200, 200), tuple(600, 800), tuple(1200, 1600)}
                    : new org.assertj.core.groups.Tuple[] {tuple(200, 200), tuple(800, 600), tuple(1600, 1200)});
        }
    }

    @Test
    void findsItsToolsOnlyWhereTheyAre() throws IOException {
        assertThat(VipsRenditions.findTools(LibVips.tools())).contains(LibVips.tools());
        assertThat(VipsRenditions.findTools(Files.createDirectories(dir.resolve("empty")))).isEmpty();
    }

    @Test
    void readsAtLeastTheCommonFormats() {
        assertThat(vips.mediaTypes()).contains("image/jpeg", "image/png", "image/gif", "image/webp", "image/tiff");
        assertThat(vips.name()).matches("libvips \\d+\\.\\d+.*");
    }

    // --- helpers

    private Path fixture(String name) throws IOException {
        Path file = dir.resolve(name.replace(' ', '-'));
        return switch (name) {
            case "jpeg 4000x3000" -> anImage(4000, 3000).writeJpeg(file);
            case "jpeg 1200x900" -> anImage(1200, 900).writeJpeg(file);
            case "jpeg 4000x3000 orientation 6" -> anImage(4000, 3000).writeJpeg(file, 6);
            // libvips' own rounding after shrink-on-load gives 800x450 for the medium; the plan says 451
            case "jpeg 3840x2163" -> anImage(3840, 2163).writeJpeg(file);
            case "jpeg 150x100" -> anImage(150, 100).writeJpeg(file);
            case "png 1200x800 with alpha" -> anImage(1200, 800).withTransparentLeftHalf().writePng(file);
            case "png 2000x100 panorama" -> anImage(2000, 100).writePng(file);
            case "png 100x3000 tower" -> anImage(100, 3000).writePng(file);
            case "gif 300x200" -> anImage(300, 200).writeGif(file);
            case "webp 300x200" -> Files.write(file, TestImages.solidLosslessWebp(300, 200, Color.RED));
            case "cmyk jpeg 300x200" -> Files.write(file, TestImages.cmykJpeg(300, 200, 0, 255, 255, 0));
            default -> throw new IllegalArgumentException(name);
        };
    }

    /**
     * A {@code vips} that hangs: a shell script that starts a long sleep and waits for it,
     * recording both process ids. {@code vipsheader} runs the real one.
     */
    private Path stuckTools(Path pids) throws IOException {
        Path tools = Files.createDirectories(dir.resolve("stuck-tools"));
        Path script = Files.writeString(tools.resolve("vips"), """
                #!/bin/sh
                echo $$ > '%1$s/vips'
                sleep 600 &
                echo $! > '%1$s/child.tmp' && mv '%1$s/child.tmp' '%1$s/child'
                wait
                """.formatted(pids));
        Path header = Files.writeString(tools.resolve("vipsheader"), """
                #!/bin/sh
                exec '%s' "$@"
                """.formatted(LibVips.tools().resolve("vipsheader")));
        for (Path tool : List.of(script, header)) {
            Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return tools;
    }

    private static boolean isAlive(Path pidFile) throws IOException {
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** A GIF whose logical screen is {@code screen} pixels but whose one frame declares {@code frame}. */
    private static byte[] gifWithFrame(int screenWidth, int screenHeight, int frameWidth, int frameHeight) {
        ByteBuffer gif = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        gif.put("GIF89a".getBytes(StandardCharsets.US_ASCII));
        gif.putShort((short) screenWidth).putShort((short) screenHeight);
        gif.put((byte) 0x80).put((byte) 0).put((byte) 0); // 2-colour global table
        gif.put(new byte[] {0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
        gif.put((byte) 0x2C).putShort((short) 0).putShort((short) 0);
        gif.putShort((short) frameWidth).putShort((short) frameHeight).put((byte) 0);
        gif.put(new byte[] {2, 2, 0x4C, 1, 0}); // LZW minimum code size, one tiny data block, terminator
        gif.put((byte) 0x3B);
        return Arrays.copyOf(gif.array(), gif.position());
    }

    private RenditionSink sinkInto(String folder) throws IOException {
        Path target = Files.createDirectories(dir.resolve(folder));
        return (name, contentType) -> Files.newOutputStream(target.resolve(name + ".jpg"));
    }

    private Path output(String folder, String name) {
        return dir.resolve(folder).resolve(name + ".jpg");
    }

    private void assertUnprocessable(Path source, String reason) {
        assertThatExceptionOfType(UnprocessableFileException.class)
                .isThrownBy(() -> vips.render(source, ImageRenditions.standardSpecs(), sinkInto("out")))
                .withMessageContaining(reason);
    }

    private static Color corner(String name) {
        return switch (name) {
            case "TL" -> TOP_LEFT;
            case "TR" -> TOP_RIGHT;
            case "BL" -> BOTTOM_LEFT;
            case "BR" -> BOTTOM_RIGHT;
            default -> throw new IllegalArgumentException(name);
        };
    }
}
