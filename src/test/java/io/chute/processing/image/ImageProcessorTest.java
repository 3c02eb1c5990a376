package io.chute.processing.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import io.chute.config.ChuteProperties;
import io.chute.support.LibVips;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * Which engine renders images, from {@code chute.processing.image-engine} and what is installed;
 * and the original's size it reports.
 */
class ImageProcessorTest {

    @TempDir
    Path dir;

    @Test
    void reportsTheOriginalsUprightSizeNotARenditions() throws IOException {
        Path upright = TestImages.anImage(2400, 1600).writeJpeg(dir.resolve("upright.jpg"));
        Path turned = TestImages.anImage(2400, 1600).writeJpeg(dir.resolve("turned.jpg"), 6);
        Path png = TestImages.anImage(640, 480).writePng(dir.resolve("small.png"));
        List<Rendition> largeScaledDown = List.of(new Rendition("large", "image/jpeg", 1920, 1280, 1000));

        assertThat(ImageProcessor.originalSize(upright, largeScaledDown))
                .containsEntry("width", 2400)
                .containsEntry("height", 1600);
        assertThat(ImageProcessor.originalSize(turned, largeScaledDown))
                .containsEntry("width", 1600)
                .containsEntry("height", 2400);
        assertThat(ImageProcessor.originalSize(png, List.of()))
                .containsEntry("width", 640)
                .containsEntry("height", 480);
    }

    @Test
    void withoutAReadableHeaderOnlyAnUnscaledLargestRenditionTellsTheSize() throws IOException {
        Path heic = Files.write(
                dir.resolve("photo.heic"), new byte[] {0, 0, 0, 24, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c'});

        assertThat(ImageProcessor.originalSize(heic, List.of(new Rendition("large", "image/jpeg", 1200, 900, 1000))))
                .containsEntry("width", 1200)
                .containsEntry("height", 900);
        assertThat(ImageProcessor.originalSize(heic, List.of(new Rendition("large", "image/jpeg", 1920, 1440, 1000))))
                .isEmpty();
    }

    @Test
    void autoUsesLibvipsWhenItsToolsAreOnThePath() {
        LibVips.tools();

        ImageProcessor images = new ImageProcessor(properties(Map.of()));

        assertThat(images.engineFor("image/jpeg").name()).startsWith("libvips ");
    }

    @Test
    void autoFallsBackToJavaWhenLibvipsIsNotInstalled() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("no-vips"));

        ImageProcessor images = new ImageProcessor(properties(Map.of("chute.processing.vips.path", empty.toString())));

        assertThat(images.engineFor("image/jpeg").name()).isEqualTo("java");
        assertThat(images.handles("image/tiff")).isFalse();
    }

    @Test
    void javaNeverUsesLibvips() {
        ImageProcessor images = new ImageProcessor(properties(Map.of("chute.processing.image-engine", "java")));

        assertThat(images.engineFor("image/jpeg").name()).isEqualTo("java");
        assertThat(images.handles("image/jpeg")).isTrue();
        assertThat(images.handles("image/bmp")).isTrue();
        assertThat(images.handles("image/tiff")).isFalse();
        assertThat(images.handles("application/pdf")).isFalse();
    }

    @Test
    void libvipsAddsItsFormatsAndLeavesBmpToJava() {
        ImageProcessor images = new ImageProcessor(properties(Map.of(
                "chute.processing.image-engine",
                "vips",
                "chute.processing.vips.path",
                LibVips.tools().toString())));

        assertThat(images.handles("image/tiff")).isTrue();
        assertThat(images.engineFor("image/tiff").name()).startsWith("libvips ");
        assertThat(images.engineFor("image/png").name()).startsWith("libvips ");
        assertThat(images.handles("image/bmp")).isTrue();
        assertThat(images.engineFor("image/bmp").name()).isEqualTo("java");
    }

    @Test
    void vipsRefusesToStartWithoutLibvips() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("no-vips"));

        assertThatIllegalStateException()
                .isThrownBy(() -> new ImageProcessor(properties(Map.of(
                        "chute.processing.image-engine", "vips", "chute.processing.vips.path", empty.toString()))))
                .withMessageContaining("apt-get install libvips-tools");
    }

    private ChuteProperties properties(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("chute.data-dir", dir.toString());
        return new Binder(new MapConfigurationPropertySource(all)).bindOrCreate("chute", ChuteProperties.class);
    }
}
