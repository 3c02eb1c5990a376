package io.chute.processing;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.Bmps;
import io.chute.support.EmbeddedChuteIT;
import io.chute.support.Images;
import io.chute.support.TestClient;
import io.chute.support.TestUploads;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PNG, WebP and RLE-compressed BMP pictures, end to end: recognised by their bytes and turned into renditions. */
class FormatsIT extends EmbeddedChuteIT {

    @TempDir
    Path dir;

    @Test
    void aPngBecomesThreeRenditions() throws Exception {
        TestClient alice = newUser();
        Path png = dir.resolve("screen.png");
        ImageIO.write(new BufferedImage(1000, 500, BufferedImage.TYPE_INT_ARGB), "png", png.toFile());

        Map<String, Object> job = TestUploads.completedJob(alice, TestUploads.acceptedJob(alice, png));

        assertThat(job).containsEntry("detectedType", "image/png");
        assertSizes(alice, job, 1000, 500);
    }

    @Test
    void aWebpBecomesThreeRenditions() throws Exception {
        TestClient alice = newUser();
        Path jpeg = Images.jpeg(dir, 1200, 800);
        Path webp = dir.resolve("photo.webp");
        // the JDK writes no WebP; libvips (installed for the image engine) converts a real photo
        Process vips = new ProcessBuilder("vips", "copy", jpeg.toString(), webp + "[Q=80]")
                .inheritIO()
                .start();
        assertThat(vips.waitFor(60, TimeUnit.SECONDS) && vips.exitValue() == 0)
                .as("vips copy to WebP")
                .isTrue();

        Map<String, Object> job = TestUploads.completedJob(alice, TestUploads.acceptedJob(alice, webp));

        assertThat(job).containsEntry("detectedType", "image/webp");
        assertSizes(alice, job, 1200, 800);
    }

    @Test
    @SuppressWarnings("unchecked")
    void anRle8BmpFromAnOldWindowsToolBecomesThreeRenditionsOfWhatItShows() throws Exception {
        TestClient alice = newUser();
        int block = 40;
        // written byte by byte (Bmps.rle): encoded and absolute runs, end-of-line and end-of-bitmap markers
        Path bmp = Files.write(dir.resolve("paint.bmp"), Bmps.rle(Bmps.blocks(1000, 600, block), true));

        Map<String, Object> job = TestUploads.completedJob(alice, TestUploads.acceptedJob(alice, bmp));

        assertThat(job).containsEntry("detectedType", "image/bmp").containsEntry("type", "image");
        assertSizes(alice, job, 1000, 600);
        Map<String, Map<String, Object>> outputs = (Map<String, Map<String, Object>>) job.get("outputs");
        BufferedImage large = ImageIO.read(new ByteArrayInputStream(
                alice.fetch((String) outputs.get("large").get("url")).body()));
        for (int y = block / 2; y < 600; y += block) {
            for (int x = block / 2; x < 1000; x += block) {
                Color shown = new Color(large.getRGB(x, y));
                Color drawn = Bmps.PALETTE[Bmps.colourAt(x, y, block)];
                assertThat(Math.abs(shown.getRed() - drawn.getRed())
                                + Math.abs(shown.getGreen() - drawn.getGreen())
                                + Math.abs(shown.getBlue() - drawn.getBlue()))
                        .as("colour at (%d,%d) is %s, drawn %s", x, y, shown, drawn)
                        .isLessThan(60);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void assertSizes(TestClient user, Map<String, Object> job, int width, int height) {
        Map<String, Map<String, Object>> outputs = (Map<String, Map<String, Object>>) job.get("outputs");
        assertThat(Images.size(
                        user.fetch((String) outputs.get("thumbnail").get("url")).body()))
                .containsExactly(200, 200);
        double scale = Math.min(800.0 / width, 800.0 / height);
        assertThat(Images.size(
                        user.fetch((String) outputs.get("medium").get("url")).body()))
                .containsExactly((int) Math.round(width * scale), (int) Math.round(height * scale));
        assertThat(Images.size(
                        user.fetch((String) outputs.get("large").get("url")).body()))
                .containsExactly(width, height);
    }
}
