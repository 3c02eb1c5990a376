package io.chute.processing.image;

import static io.chute.processing.image.ImageAssertions.assertColor;
import static io.chute.processing.image.ImageAssertions.assertCorners;
import static io.chute.processing.image.TestImages.BOTTOM_LEFT;
import static io.chute.processing.image.TestImages.BOTTOM_RIGHT;
import static io.chute.processing.image.TestImages.TOP_LEFT;
import static io.chute.processing.image.TestImages.TOP_RIGHT;
import static io.chute.processing.image.TestImages.anImage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import io.chute.processing.UnprocessableFileException;
import io.chute.processing.image.RenditionSpec.Mode;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What every {@link RenditionEngine} does, whatever decodes the pixels: the geometry of
 * {@link RenditionSpec}, EXIF orientation, flattening, the refusals and the sink contract. One subclass per
 * adapter supplies the engine; behaviour only one engine has (formats, child processes) stays in that subclass.
 *
 * <p>To extend: add a test here using {@link #engine()}, the fixtures in {@link TestImages} and the helpers at
 * the bottom ({@link #sinkInto}, {@link #output}, {@link #assertUnprocessable}).
 */
abstract class RenditionEngineContract {

    /** The pixel limit of {@link #engine()}. */
    static final long MAX_PIXELS = 50_000_000;
    /** One box large enough that small fixtures are never scaled, only oriented and re-encoded. */
    static final List<RenditionSpec> AS_IS = List.of(new RenditionSpec("as-is", 4000, 4000, Mode.FIT));

    @TempDir
    Path dir;

    /** The engine under test, limited to {@link #MAX_PIXELS}; may be shared between tests. */
    protected abstract RenditionEngine engine();

    /** A fresh engine of the same kind that refuses images of more than {@code maxPixels}. */
    protected abstract RenditionEngine engine(long maxPixels) throws IOException;

    /** How this engine words a JPEG cut in the middle of its data (each decoder says it its own way). */
    protected abstract String truncatedJpegReason();

    // --- geometry end to end

    @Test
    void rendersStandardSpecsOfA4000x3000Jpeg() throws IOException {
        Path photo = anImage(4000, 3000).writeJpeg(dir.resolve("photo.jpg"));

        List<Rendition> result = engine().render(photo, ImageRenditions.standardSpecs(), sinkInto("out"));

        assertThat(result)
                .extracting(Rendition::name, Rendition::width, Rendition::height)
                .containsExactly(tuple("thumbnail", 200, 200), tuple("medium", 800, 600), tuple("large", 1920, 1440));
        assertThat(result).extracting(Rendition::contentType).containsOnly("image/jpeg");
        for (BufferedImage decoded : assertWrittenAsReturned("out", result)) {
            assertCorners(decoded, TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT, BOTTOM_RIGHT);
        }
    }

    @Test
    void neverUpscalesButStillCropsTheThumbnail() throws IOException {
        Path photo = anImage(1200, 900).writeJpeg(dir.resolve("photo.jpg"));

        List<Rendition> result = engine().render(photo, ImageRenditions.standardSpecs(), sinkInto("out"));

        assertThat(result)
                .extracting(Rendition::name, Rendition::width, Rendition::height)
                .containsExactly(tuple("thumbnail", 200, 200), tuple("medium", 800, 600), tuple("large", 1200, 900));
    }

    @Test
    void smallImageKeepsItsSizeInEveryRendition() throws IOException {
        Path photo = anImage(150, 100).writeJpeg(dir.resolve("photo.jpg"));

        List<Rendition> result = engine().render(photo, ImageRenditions.standardSpecs(), sinkInto("out"));

        assertThat(result).extracting(Rendition::width, Rendition::height).containsOnly(tuple(150, 100));
        assertThat(ImageIO.read(output("out", "thumbnail").toFile()).getWidth()).isEqualTo(150);
    }

    @Test
    void coverCropsTheCenterOfAPanorama() throws IOException {
        Path panorama = anImage(2000, 100).writePng(dir.resolve("panorama.png"));

        List<Rendition> result =
                engine().render(panorama, List.of(new RenditionSpec("square", 100, 100, Mode.COVER)), sinkInto("out"));

        assertThat(result).extracting(Rendition::width, Rendition::height).containsExactly(tuple(100, 100));
        BufferedImage square = ImageIO.read(output("out", "square").toFile());
        // the center straddles the vertical quadrant boundary: left half red/blue, right half green/yellow
        assertCorners(square, TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT, BOTTOM_RIGHT);
    }

    // --- EXIF orientation

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
    void appliesExifOrientation(
            int orientation,
            int width,
            int height,
            String topLeft,
            String topRight,
            String bottomLeft,
            String bottomRight)
            throws IOException {
        Path photo = anImage(400, 300).writeJpeg(dir.resolve("photo.jpg"), orientation);

        Rendition rendition = engine().render(photo, AS_IS, sinkInto("out")).getFirst();

        BufferedImage upright = ImageIO.read(output("out", "as-is").toFile());
        assertThat(rendition.width()).isEqualTo(width).isEqualTo(upright.getWidth());
        assertThat(rendition.height()).isEqualTo(height).isEqualTo(upright.getHeight());
        assertCorners(upright, corner(topLeft), corner(topRight), corner(bottomLeft), corner(bottomRight));
    }

    @Test
    void portraitPhotoTakenSidewaysGivesPortraitRenditions() throws IOException {
        Path photo = anImage(4000, 3000).writeJpeg(dir.resolve("photo.jpg"), 6);

        List<Rendition> result = engine().render(photo, ImageRenditions.standardSpecs(), sinkInto("out"));

        assertThat(result)
                .extracting(Rendition::name, Rendition::width, Rendition::height)
                .containsExactly(tuple("thumbnail", 200, 200), tuple("medium", 600, 800), tuple("large", 1440, 1920));
        BufferedImage large = ImageIO.read(output("out", "large").toFile());
        assertThat(large.getWidth()).isEqualTo(1440);
        assertThat(large.getHeight()).isEqualTo(1920);
        // rotated 90° clockwise: the stored top-left (red) corner is now top-right
        assertCorners(large, BOTTOM_LEFT, TOP_LEFT, BOTTOM_RIGHT, TOP_RIGHT);
    }

    @Test
    void sizesRenditionsMadeFromTheSourceInUprightCoordinates() throws IOException {
        // the first rendition (75x100) cannot serve the second, which is made from the rotated source
        Path photo = anImage(400, 300).writeJpeg(dir.resolve("photo.jpg"), 6);
        List<RenditionSpec> specs = List.of(
                new RenditionSpec("strip", 1000, 100, Mode.FIT), new RenditionSpec("square", 300, 300, Mode.FIT));

        List<Rendition> result = engine().render(photo, specs, sinkInto("out"));

        assertThat(result)
                .extracting(Rendition::name, Rendition::width, Rendition::height)
                .containsExactly(tuple("strip", 75, 100), tuple("square", 225, 300));
        assertCorners(ImageIO.read(output("out", "square").toFile()), BOTTOM_LEFT, TOP_LEFT, BOTTOM_RIGHT, TOP_RIGHT);
    }

    @Test
    void unreadableExifIsTreatedAsUpright() throws IOException {
        byte[] jpeg = TestImages.encode(anImage(400, 300).build(), "jpeg");
        byte[] app1 = TestImages.exifApp1(6);
        app1[10] = 'X'; // breaks the TIFF byte-order mark "MM"
        app1[11] = 'X';
        Path photo = Files.write(dir.resolve("photo.jpg"), TestImages.splicedAfterSoi(jpeg, app1));

        Rendition rendition = engine().render(photo, AS_IS, sinkInto("out")).getFirst();

        assertThat(rendition.width()).isEqualTo(400);
        assertThat(rendition.height()).isEqualTo(300);
    }

    @Test
    void stripsMetadata() throws IOException {
        Path photo = anImage(400, 300).writeJpeg(dir.resolve("photo.jpg"), 6);

        engine().render(photo, AS_IS, sinkInto("out"));

        byte[] jpeg = Files.readAllBytes(output("out", "as-is"));
        assertThat(new String(jpeg, StandardCharsets.ISO_8859_1)).doesNotContain("Exif");
    }

    // --- formats and pixel conversion

    @Test
    void flattensTransparencyOntoWhite() throws IOException {
        Path png = anImage(200, 100).solid(Color.RED).withTransparentLeftHalf().writePng(dir.resolve("logo.png"));

        engine().render(png, AS_IS, sinkInto("out"));

        BufferedImage flattened = ImageIO.read(output("out", "as-is").toFile());
        assertColor(flattened, 20, 50, Color.WHITE);
        assertColor(flattened, 180, 50, Color.RED);
    }

    @Test
    void recognisesAPngFromItsBytesNotItsName() throws IOException {
        Path png = anImage(300, 200).writePng(dir.resolve("really-a-png.jpg"));

        engine().render(png, AS_IS, sinkInto("png"));

        assertCorners(ImageIO.read(output("png", "as-is").toFile()), TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT, BOTTOM_RIGHT);
    }

    /** A solid red 300x200 image in a format both engines read: an animated GIF (its first frame) or a WebP. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"anim.gif", "image.webp"})
    void rendersTheFirstFrameOfAnAnimatedGifAndLosslessWebp(String name) throws IOException {
        Path image = name.endsWith(".gif")
                ? anImage(300, 200).solid(Color.RED).withSecondFrame(Color.BLUE).writeGif(dir.resolve(name))
                : Files.write(dir.resolve(name), TestImages.solidLosslessWebp(300, 200, Color.RED));

        List<Rendition> result = engine().render(image, ImageRenditions.standardSpecs(), sinkInto("out"));

        assertThat(result)
                .extracting(Rendition::width, Rendition::height)
                .containsExactly(tuple(200, 200), tuple(300, 200), tuple(300, 200));
        assertColor(ImageIO.read(output("out", "thumbnail").toFile()), 100, 100, Color.RED);
        assertColor(ImageIO.read(output("out", "medium").toFile()), 150, 100, Color.RED);
    }

    /** C=0 M=255 Y=255 K=0 is red; without an ICC profile it goes through the standard CMYK profile. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"cmyk", "ycck"})
    void convertsCmykJpegToRgb(String storage) throws IOException {
        byte[] jpeg = storage.equals("cmyk")
                ? TestImages.cmykJpeg(300, 200, 0, 255, 255, 0)
                : TestImages.ycckJpeg(300, 200, 0, 255, 255, 0);
        Path cmyk = Files.write(dir.resolve("print.jpg"), jpeg);

        Rendition rendition = engine().render(cmyk, AS_IS, sinkInto("out")).getFirst();

        assertThat(rendition.width()).isEqualTo(300);
        BufferedImage decoded = ImageIO.read(output("out", "as-is").toFile());
        assertThat(decoded.getColorModel().getNumComponents()).isEqualTo(3);
        Color center = new Color(decoded.getRGB(150, 100));
        assertThat(center.getRed()).isGreaterThan(200);
        assertThat(center.getGreen()).isLessThan(80);
        assertThat(center.getBlue()).isLessThan(80);
    }

    @Test
    void convertsALargeCmykJpegDecodedSubsampledToTheSameColour() throws IOException {
        Path small = Files.write(dir.resolve("small.jpg"), TestImages.cmykJpeg(300, 200, 0, 255, 255, 0));
        Path large = Files.write(dir.resolve("large.jpg"), TestImages.cmykJpeg(4000, 3000, 0, 255, 255, 0));

        engine().render(small, AS_IS, sinkInto("small"));
        List<Rendition> result = engine().render(large, ImageRenditions.standardSpecs(), sinkInto("large"));

        assertThat(result)
                .extracting(Rendition::width, Rendition::height)
                .containsExactly(tuple(200, 200), tuple(800, 600), tuple(1920, 1440));
        Color expected =
                new Color(ImageIO.read(output("small", "as-is").toFile()).getRGB(150, 100));
        for (String name : List.of("thumbnail", "medium", "large")) {
            BufferedImage decoded = ImageIO.read(output("large", name).toFile());
            Color center = new Color(decoded.getRGB(decoded.getWidth() / 2, decoded.getHeight() / 2));
            assertThat(List.of(center.getRed(), center.getGreen(), center.getBlue()))
                    .as("%s of a 4000x3000 CMYK JPEG is %s, at 300x200 it is %s", name, center, expected)
                    .zipSatisfy(
                            List.of(expected.getRed(), expected.getGreen(), expected.getBlue()),
                            (got, want) -> assertThat(got).isCloseTo(want, within(3)));
        }
    }

    // --- refusals

    @Test
    void refusesAnEmptyFile() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.jpg"));

        assertUnprocessable(empty, "file is empty");
    }

    @Test
    void refusesBytesThatAreNoImage() throws IOException {
        Path noisePng = Files.write(dir.resolve("noise.png"), TestImages.randomBytes(4096, 1));
        Path noiseJpg = Files.write(dir.resolve("noise.jpg"), TestImages.randomBytes(4096, 1));

        assertUnprocessable(noisePng, "not a supported image format");
        assertUnprocessable(noiseJpg, "not a supported image format");
    }

    @Test
    void refusesATruncatedJpegRatherThanRenderingItHalfGrey() throws IOException {
        for (BufferedImage image : List.of(anImage(400, 300).build(), TestImages.noise(400, 300, 5))) {
            byte[] jpeg = TestImages.encode(image, "jpeg");
            Path truncated = Files.write(dir.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));

            assertUnprocessable(truncated, truncatedJpegReason());
        }
    }

    @Test
    void refusesATruncatedCmykJpeg() throws IOException {
        byte[] jpeg = TestImages.cmykJpeg(400, 300, 0, 255, 255, 0);
        Path truncated = Files.write(dir.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));

        assertUnprocessable(truncated, truncatedJpegReason());
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
    void refusesADecompressionBombFromItsHeaderAlone() throws IOException {
        // the data after IHDR is garbage: decoding would fail with a different message
        Path bomb = Files.write(dir.resolve("bomb.png"), TestImages.pngHeaderClaiming(100_000, 100_000));

        assertUnprocessable(bomb, "image has 10000000000 pixels, limit is 50000000");
    }

    @Test
    void refusesImagesAboveTheConfiguredPixelLimit() throws IOException {
        for (Path photo : List.of(
                anImage(100, 100).writePng(dir.resolve("photo.png")),
                anImage(100, 100).writeJpeg(dir.resolve("photo.jpg")))) {
            RenditionEngine strict = engine(9_999);
            assertThatExceptionOfType(UnprocessableFileException.class)
                    .isThrownBy(() -> strict.render(photo, AS_IS, sinkInto("out")))
                    .withMessage("image has 10000 pixels, limit is 9999");
            assertThat(engine(10_000).render(photo, AS_IS, sinkInto("out"))).hasSize(1);
        }
    }

    @Test
    void aMissingFileIsAnIoErrorNotABadFile() {
        assertThatThrownBy(() -> engine().render(dir.resolve("gone.jpg"), AS_IS, sinkInto("out")))
                .isInstanceOf(NoSuchFileException.class);
    }

    // --- contract with the sink and the caller

    @Test
    void writesEachRenditionToItsOwnStreamAndClosesIt() throws IOException {
        Path photo = anImage(1200, 900).writeJpeg(dir.resolve("photo.jpg"));
        List<String> opened = Collections.synchronizedList(new ArrayList<>());
        List<RecordingStream> streams = Collections.synchronizedList(new ArrayList<>());

        List<Rendition> result = engine().render(photo, ImageRenditions.standardSpecs(), (name, contentType) -> {
            opened.add(name + " " + contentType);
            RecordingStream stream = new RecordingStream(name);
            streams.add(stream);
            return stream;
        });

        assertThat(opened).containsExactlyInAnyOrder("thumbnail image/jpeg", "medium image/jpeg", "large image/jpeg");
        assertThat(streams).allSatisfy(stream -> assertThat(stream.closed).isTrue());
        for (Rendition rendition : result) {
            RecordingStream stream = streams.stream()
                    .filter(s -> s.name.equals(rendition.name()))
                    .findFirst()
                    .orElseThrow();
            assertThat(rendition.size()).isEqualTo(stream.size()).isPositive();
        }
    }

    @Test
    void returnsRenditionsInSpecOrderWhateverOrderTheyAreRenderedIn() throws IOException {
        Path photo = anImage(1200, 900).writeJpeg(dir.resolve("photo.jpg"));
        List<RenditionSpec> smallestFirst = List.of(
                new RenditionSpec("tiny", 50, 50, Mode.FIT),
                new RenditionSpec("big", 1000, 1000, Mode.FIT),
                new RenditionSpec("mid", 300, 300, Mode.COVER));

        List<Rendition> result = engine().render(photo, smallestFirst, sinkInto("out"));

        assertThat(result)
                .extracting(Rendition::name, Rendition::width, Rendition::height)
                .containsExactly(tuple("tiny", 50, 38), tuple("big", 1000, 750), tuple("mid", 300, 300));
    }

    @Test
    void noSpecsMeansNothingIsReadOrWritten() throws IOException {
        Path noise = Files.write(dir.resolve("noise"), TestImages.randomBytes(64, 2));

        List<Rendition> result = engine().render(noise, List.of(), (name, type) -> {
            throw new AssertionError("sink must not be opened");
        });

        assertThat(result).isEmpty();
    }

    @Test
    void rejectsDuplicateRenditionNames() throws IOException {
        Path photo = anImage(100, 100).writePng(dir.resolve("photo.png"));
        List<RenditionSpec> twice =
                List.of(new RenditionSpec("same", 10, 10, Mode.FIT), new RenditionSpec("same", 20, 20, Mode.FIT));

        assertThatIllegalArgumentException()
                .isThrownBy(() -> engine().render(photo, twice, sinkInto("out")))
                .withMessageContaining("same");
    }

    @Test
    void rejectsANonPositivePixelLimit() {
        assertThatIllegalArgumentException().isThrownBy(() -> engine(0));
    }

    @Test
    void oneInstanceRendersConcurrentlyOnSeveralThreads() throws Exception {
        Path jpeg = anImage(1600, 1200).writeJpeg(dir.resolve("photo.jpg"), 6);
        Path png = anImage(1600, 1200).writePng(dir.resolve("photo.png"));
        List<Callable<List<Rendition>>> jobs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Path source = i % 2 == 0 ? jpeg : png;
            String out = "out" + i;
            jobs.add(() -> engine().render(source, ImageRenditions.standardSpecs(), sinkInto(out)));
        }

        List<List<Rendition>> results = new ArrayList<>();
        try (ExecutorService workers = Executors.newFixedThreadPool(4)) {
            for (Future<List<Rendition>> future : workers.invokeAll(jobs)) {
                results.add(future.get());
            }
        }

        for (int i = 0; i < results.size(); i++) {
            assertThat(results.get(i))
                    .extracting(Rendition::width, Rendition::height)
                    .containsExactly(
                            i % 2 == 0
                                    ? new Tuple[] {tuple(200, 200), tuple(600, 800), tuple(1200, 1600)}
                                    : new Tuple[] {tuple(200, 200), tuple(800, 600), tuple(1600, 1200)});
        }
    }

    // --- colour: every file of the corpus looks like the sRGB reference

    @ParameterizedTest
    @org.junit.jupiter.params.provider.FieldSource("io.chute.processing.image.ColourCorpus#NAMES")
    void rendersColourTaggedImagesAsTheirSrgbReference(String name) throws Exception {
        Path source = ColourCorpus.make(dir, name);

        List<Rendition> result = engine().render(source, AS_IS, sinkInto("colour"));

        BufferedImage shown =
                ImageIO.read(output("colour", result.getFirst().name()).toFile());
        assertThat(ColourCorpus.meanAbsoluteError(shown))
                .as("mean absolute error of %s", name)
                .isLessThan(4.0);
        if (ColourCorpus.WIDE_GAMUT.contains(name)) {
            assertThat(ColourCorpus.errorIgnoringProfile(source))
                    .as("%s shown without its profile", name)
                    .isGreaterThan(4.0);
        }
    }

    // --- helpers for this suite and its subclasses

    /** A sink writing each rendition to {@code folder/name.jpg} under the test's directory. */
    RenditionSink sinkInto(String folder) throws IOException {
        Path target = Files.createDirectories(dir.resolve(folder));
        return (name, contentType) -> Files.newOutputStream(target.resolve(name + ".jpg"));
    }

    /** Where {@link #sinkInto} wrote the rendition {@code name}. */
    Path output(String folder, String name) {
        return dir.resolve(folder).resolve(name + ".jpg");
    }

    /** Each rendition's file in {@code folder} has the size it reports and decodes to its width and height. */
    List<BufferedImage> assertWrittenAsReturned(String folder, List<Rendition> renditions) throws IOException {
        List<BufferedImage> decoded = new ArrayList<>();
        for (Rendition rendition : renditions) {
            Path file = output(folder, rendition.name());
            assertThat(rendition.size()).isEqualTo(Files.size(file));
            BufferedImage image = ImageIO.read(file.toFile());
            assertThat(image.getWidth()).isEqualTo(rendition.width());
            assertThat(image.getHeight()).isEqualTo(rendition.height());
            decoded.add(image);
        }
        return decoded;
    }

    /** Rendering the standard specs from {@code source} is refused for {@code reason}. */
    void assertUnprocessable(Path source, String reason) {
        assertThatExceptionOfType(UnprocessableFileException.class)
                .isThrownBy(() -> engine().render(source, ImageRenditions.standardSpecs(), sinkInto("out")))
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

    /** Remembers whether it was closed. */
    private static final class RecordingStream extends ByteArrayOutputStream {

        final String name;
        volatile boolean closed;

        RecordingStream(String name) {
            this.name = name;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
