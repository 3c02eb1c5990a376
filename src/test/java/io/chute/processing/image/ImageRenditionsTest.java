package io.chute.processing.image;

import static io.chute.processing.image.ImageAssertions.assertCorners;
import static io.chute.processing.image.TestImages.BOTTOM_LEFT;
import static io.chute.processing.image.TestImages.BOTTOM_RIGHT;
import static io.chute.processing.image.TestImages.TOP_LEFT;
import static io.chute.processing.image.TestImages.TOP_RIGHT;
import static io.chute.processing.image.TestImages.anImage;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

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

        assertUnprocessable(truncated, "corrupt or truncated image");
    }
}
