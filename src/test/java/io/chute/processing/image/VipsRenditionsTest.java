package io.chute.processing.image;

import static io.chute.processing.image.ImageAssertions.assertCorners;
import static io.chute.processing.image.TestImages.BOTTOM_LEFT;
import static io.chute.processing.image.TestImages.BOTTOM_RIGHT;
import static io.chute.processing.image.TestImages.TOP_LEFT;
import static io.chute.processing.image.TestImages.TOP_RIGHT;
import static io.chute.processing.image.TestImages.anImage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.chute.processing.UnprocessableFileException;
import io.chute.support.LibVips;
import java.awt.Color;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The libvips engine, run against the real libvips tools: the {@link RenditionEngineContract}, its equivalence with
 * the Java engine, the formats only it reads and its child processes.
 */
class VipsRenditionsTest extends RenditionEngineContract {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path shared;

    private static VipsRenditions vips;

    private final ImageRenditions javaEngine = new ImageRenditions(MAX_PIXELS);

    @BeforeAll
    static void startLibvips() throws IOException {
        vips = VipsRenditions.start(LibVips.tools(), MAX_PIXELS, TIMEOUT, shared.resolve("tmp"));
    }

    @Override
    protected RenditionEngine engine() {
        return vips;
    }

    @Override
    protected RenditionEngine engine(long maxPixels) {
        return new VipsRenditions(
                LibVips.tools(),
                "test",
                Set.of(VipsRenditions.Format.JPEG, VipsRenditions.Format.PNG),
                maxPixels,
                TIMEOUT,
                dir.resolve("tmp"));
    }

    @Override
    protected String truncatedJpegReason() {
        return "corrupt or truncated image: VipsJpeg: Premature end of";
    }

    // --- the same renditions as the Java engine

    /** Fixtures both engines read, by name. */
    static Stream<String> commonFixtures() {
        return Stream.of(
                "jpeg 4000x3000",
                "jpeg 1200x900",
                "jpeg 4000x3000 orientation 6",
                "jpeg 3840x2163",
                "jpeg 150x100",
                "png 1200x800 with alpha",
                "png 2000x100 panorama",
                "png 100x3000 tower",
                "gif 300x200",
                "webp 300x200",
                "cmyk jpeg 300x200");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commonFixtures")
    void givesTheSameSizesAsTheJavaEngine(String fixture) throws IOException {
        Path image = fixture(fixture);

        List<Rendition> byVips = vips.render(image, ImageRenditions.standardSpecs(), sinkInto("vips"));
        List<Rendition> byJava = javaEngine.render(image, ImageRenditions.standardSpecs(), sinkInto("java"));

        assertThat(byVips)
                .extracting(Rendition::name, Rendition::width, Rendition::height, Rendition::contentType)
                .containsExactlyElementsOf(byJava.stream()
                        .map(r -> tuple(r.name(), r.width(), r.height(), r.contentType()))
                        .toList());
        assertWrittenAsReturned("vips", byVips);
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
        assertThat(result)
                .extracting(Rendition::width, Rendition::height)
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
    void refusesAGifWhoseFrameIsLargerThanItsScreen() throws IOException {
        // libvips grows the canvas to the frame: the size that counts is the one libvips reports
        Path bomb = Files.write(dir.resolve("bomb.gif"), gifWithFrame(10, 10, 30_000, 30_000));

        assertUnprocessable(bomb, "image has 900000000 pixels, limit is 50000000");
    }

    @Test
    void refusesFormatsOutsideTheAllowList() throws IOException {
        Path bmp = anImage(100, 100).writeBmp(dir.resolve("image.bmp"));
        Path svg = Files.writeString(
                dir.resolve("image.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" height=\"100\"/>");

        assertUnprocessable(bmp, "not a supported image format");
        assertUnprocessable(svg, "not a supported image format");
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

    // --- the child processes

    @Test
    void aMissingLibvipsIsATransientFailure() throws IOException {
        Path photo = anImage(100, 100).writeJpeg(dir.resolve("photo.jpg"));
        VipsRenditions gone = new VipsRenditions(
                Files.createDirectories(dir.resolve("no-tools")),
                "test",
                Set.of(VipsRenditions.Format.JPEG),
                MAX_PIXELS,
                TIMEOUT,
                dir.resolve("tmp"));

        assertThatThrownBy(() -> gone.render(photo, AS_IS, sinkInto("out")))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(UnprocessableFileException.class)
                .hasMessageContaining("vips");
    }

    @Test
    void killsAStuckLibvipsAndItsChildrenAtTheTimeout() throws IOException {
        Path pids = Files.createDirectories(dir.resolve("pids"));
        VipsRenditions stuck = new VipsRenditions(
                stuckTools(pids),
                "test",
                Set.of(VipsRenditions.Format.JPEG),
                MAX_PIXELS,
                Duration.ofMillis(500),
                dir.resolve("tmp"));
        Path photo = anImage(100, 100).writeJpeg(dir.resolve("photo.jpg"));

        assertThatThrownBy(() -> stuck.render(photo, AS_IS, sinkInto("out")))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(UnprocessableFileException.class)
                .hasMessageContaining("did not finish within PT0.5S and was killed");

        await().atMost(Duration.ofSeconds(10))
                .until(() -> !isAlive(pids.resolve("vips")) && !isAlive(pids.resolve("child")));
        assertThat(dir.resolve("tmp")).isEmptyDirectory();
    }

    @Test
    void killsLibvipsWhenTheThreadIsInterrupted() throws Exception {
        Path pids = Files.createDirectories(dir.resolve("pids"));
        VipsRenditions stuck = new VipsRenditions(
                stuckTools(pids),
                "test",
                Set.of(VipsRenditions.Format.JPEG),
                MAX_PIXELS,
                Duration.ofMinutes(10),
                dir.resolve("tmp"));
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
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !isAlive(pids.resolve("vips")) && !isAlive(pids.resolve("child")));
    }

    @Test
    void findsItsToolsOnlyWhereTheyAre() throws IOException {
        assertThat(VipsRenditions.findTools(LibVips.tools())).contains(LibVips.tools());
        assertThat(VipsRenditions.findTools(Files.createDirectories(dir.resolve("empty"))))
                .isEmpty();
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
            case "png 1200x800 with alpha" ->
                anImage(1200, 800).withTransparentLeftHalf().writePng(file);
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
        Path header = Files.writeString(
                tools.resolve("vipsheader"), """
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
}
