package io.chute.processing.image;

import static io.chute.processing.image.ImageAssertions.assertCorners;
import static io.chute.processing.image.TestImages.BOTTOM_LEFT;
import static io.chute.processing.image.TestImages.BOTTOM_RIGHT;
import static io.chute.processing.image.TestImages.TOP_LEFT;
import static io.chute.processing.image.TestImages.TOP_RIGHT;
import static io.chute.processing.image.TestImages.anImage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chute.processing.UnprocessableFileException;
import io.chute.support.Bmps;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pure-Java engine against the {@link RenditionEngineContract}, and what only it does. */
class ImageRenditionsTest extends RenditionEngineContract {

    private final ImageRenditions renditions = new ImageRenditions(MAX_PIXELS);

    @Override
    protected RenditionEngine engine() {
        return renditions;
    }

    @Override
    protected RenditionEngine engine(long maxPixels) {
        return new ImageRenditions(maxPixels);
    }

    @Override
    protected String truncatedJpegReason() {
        return "image data is truncated";
    }

    @Test
    void hasAWebpReaderInstalled() {
        assertThat(ImageIO.getImageReadersByMIMEType("image/webp").hasNext()).isTrue();
    }

    @Test
    void recognisesABmpFromItsBytesWithoutAName() throws IOException {
        Path bmp = anImage(300, 200).writeBmp(dir.resolve("really-a-bmp"));

        renditions.render(bmp, AS_IS, sinkInto("bmp"));

        assertCorners(ImageIO.read(output("bmp", "as-is").toFile()), TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT, BOTTOM_RIGHT);
    }

    @Test
    void refusesFormatsOutsideTheAllowListEvenIfImageIoReadsThem() throws IOException {
        Path tiff = anImage(100, 100).writeTiff(dir.resolve("scan.tif"));
        assertThat(ImageIO.read(tiff.toFile())).as("the JDK can read TIFF").isNotNull();

        assertUnprocessable(tiff, "not a supported image format");
    }

    @Test
    void acceptsAJpegWhoseDataIsCompleteButLacksTheEndMarker() throws IOException {
        byte[] jpeg = TestImages.encode(anImage(400, 300).build(), "jpeg");
        Path noEoi = Files.write(dir.resolve("no-eoi.jpg"), Arrays.copyOf(jpeg, jpeg.length - 2));

        Rendition rendition = renditions.render(noEoi, AS_IS, sinkInto("out")).getFirst();

        assertThat(rendition.width()).isEqualTo(400);
        assertCorners(ImageIO.read(output("out", "as-is").toFile()), TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT, BOTTOM_RIGHT);
    }

    @Test
    void refusesATruncatedBmp() throws IOException {
        byte[] bmp = TestImages.encode(anImage(300, 200).build(), "bmp");
        Path truncated = Files.write(dir.resolve("truncated.bmp"), Arrays.copyOf(bmp, bmp.length / 2));

        assertUnprocessable(truncated, "image data is truncated");
    }

    @ParameterizedTest(name = "RLE8: {0}")
    @ValueSource(booleans = {true, false})
    void decodesRleCompressedBmpsToThePixelsDrawn(boolean rle8) throws IOException {
        int block = 20;
        BufferedImage drawn = Bmps.blocks(301, 203, block);
        Path bmp = Files.write(dir.resolve("old-tool.bmp"), Bmps.rle(drawn, rle8));

        BufferedImage decoded = ImageIO.read(bmp.toFile());
        for (int y = 0; y < drawn.getHeight(); y++) {
            for (int x = 0; x < drawn.getWidth(); x++) {
                assertThat(decoded.getRGB(x, y) & 0xFFFFFF)
                        .as("pixel (%d,%d)", x, y)
                        .isEqualTo(drawn.getRGB(x, y) & 0xFFFFFF);
            }
        }
        Rendition rendition = renditions.render(bmp, AS_IS, sinkInto("rle")).getFirst();

        assertThat(rendition.width()).isEqualTo(301);
        assertThat(rendition.height()).isEqualTo(203);
        BufferedImage shown = ImageIO.read(output("rle", "as-is").toFile());
        for (int y = block / 2; y < drawn.getHeight(); y += block) {
            for (int x = block / 2; x < drawn.getWidth(); x += block) {
                ImageAssertions.assertColor(shown, x, y, Bmps.PALETTE[Bmps.colourAt(x, y, block)]);
            }
        }
    }

    @Test
    void refusesAnUncompressedBmpShorterThanItsHeaderSaysBeforeDecodingIt() throws IOException {
        // the same truncation (half of a 640x480 image's pixels) under a header claiming 640x480 and
        // one claiming 10000x10000: the second used to be decoded, subsampled, into a mostly black picture
        int dataBytes = 640 * 480 * 3 / 2;
        Path small = Files.write(dir.resolve("small.bmp"), Bmps.truncated24Bit(640, 480, dataBytes));
        Path huge = Files.write(dir.resolve("huge.bmp"), Bmps.truncated24Bit(10_000, 10_000, dataBytes));
        ImageRenditions engine = new ImageRenditions(100_000_000);

        for (Path bmp : List.of(small, huge)) {
            assertThatThrownBy(() -> engine.render(bmp, ImageRenditions.standardSpecs(), sinkInto("out")))
                    .isInstanceOf(UnprocessableFileException.class)
                    .hasMessageStartingWith("image data is truncated")
                    .hasMessageContaining("but the file has " + Files.size(bmp) + " bytes");
        }
        assertThat(output("out", "large")).doesNotExist();
    }

    @ParameterizedTest(name = "RLE8: {0}")
    @ValueSource(booleans = {true, false})
    void refusesRleDataThatEndsBeforeItsEndOfBitmapMarker(boolean rle8) throws IOException {
        byte[] whole = Bmps.rle(Bmps.blocks(400, 300, 25), rle8);
        Path cut = Files.write(dir.resolve("cut.bmp"), Bmps.cutRle(whole, whole.length / 2));
        assertThat(ImageIO.read(cut.toFile()))
                .as("the JDK's reader alone decodes it")
                .isNotNull();

        assertUnprocessable(cut, "image data is truncated: the " + (rle8 ? "RLE8" : "RLE4") + " data ends");
    }

    @Test
    void refusesAnRleBmpWhoseHeaderClaimsMoreDataThanTheFileHas() throws IOException {
        byte[] whole = Bmps.rle(Bmps.blocks(400, 300, 25), true);
        Path cut = Files.write(dir.resolve("cut.bmp"), Arrays.copyOf(whole, whole.length - 100));

        assertUnprocessable(cut, "image data is truncated: the BMP header declares " + (whole.length - 54 - 32));
    }
}
