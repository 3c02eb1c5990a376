package io.chute.processing;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.EmbeddedChuteIT;
import io.chute.support.Images;
import io.chute.support.TestClient;
import io.chute.support.TestUploads;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PNG and WebP photos, end to end: recognised by their bytes and turned into renditions. */
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
