package io.chute.processing.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class DownscalerTest {

    @Test
    void averagesFineDetailInsteadOfPickingPixels() {
        BufferedImage checkerboard = new BufferedImage(256, 256, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 256; x++) {
                checkerboard.setRGB(x, y, (x + y) % 2 == 0 ? 0xFFFFFF : 0x000000);
            }
        }

        BufferedImage scaled = Downscaler.scale(checkerboard, 25, 25);

        // nearest neighbour would give pure black or white; a good filter gives mid grey everywhere
        for (int y = 0; y < 25; y++) {
            for (int x = 0; x < 25; x++) {
                assertThat(new Color(scaled.getRGB(x, y)).getGreen())
                        .as("(%d,%d)", x, y)
                        .isBetween(96, 160);
            }
        }
    }

    @Test
    void scalesToExactlyTheRequestedSize() {
        BufferedImage source = new BufferedImage(1000, 750, BufferedImage.TYPE_INT_RGB);

        BufferedImage scaled = Downscaler.scale(source, 267, 200);

        assertThat(scaled.getWidth()).isEqualTo(267);
        assertThat(scaled.getHeight()).isEqualTo(200);
        assertThat(scaled.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
    }

    @Test
    void returnsTheSameImageWhenNoScalingIsNeeded() {
        BufferedImage source = new BufferedImage(30, 20, BufferedImage.TYPE_INT_RGB);

        assertThat(Downscaler.scale(source, 30, 20)).isSameAs(source);
        assertThat(Downscaler.centerCrop(source, 30, 20)).isSameAs(source);
    }

    @Test
    void cropsTheCenter() {
        // blue 50px margins left and right of a red 200px band
        BufferedImage source = new BufferedImage(300, 100, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 100; y++) {
            for (int x = 0; x < 300; x++) {
                source.setRGB(x, y, x >= 50 && x < 250 ? 0xFF0000 : 0x0000FF);
            }
        }

        BufferedImage cropped = Downscaler.centerCrop(source, 200, 100);

        assertThat(cropped.getWidth()).isEqualTo(200);
        assertThat(cropped.getHeight()).isEqualTo(100);
        assertThat(cropped.getRGB(0, 0) & 0xFFFFFF).isEqualTo(0xFF0000);
        assertThat(cropped.getRGB(199, 99) & 0xFFFFFF).isEqualTo(0xFF0000);
    }
}
