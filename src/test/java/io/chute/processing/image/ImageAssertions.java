package io.chute.processing.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.image.BufferedImage;

/** Colour checks on decoded renditions, tolerant of JPEG's small colour shifts. */
final class ImageAssertions {

    private ImageAssertions() {}

    /** Samples a little inside each corner, away from JPEG ringing at the quadrant borders. */
    static void assertCorners(BufferedImage image, Color topLeft, Color topRight, Color bottomLeft, Color bottomRight) {
        int inset = Math.max(1, Math.min(image.getWidth(), image.getHeight()) / 10);
        int right = image.getWidth() - 1 - inset;
        int bottom = image.getHeight() - 1 - inset;
        assertColor(image, inset, inset, topLeft);
        assertColor(image, right, inset, topRight);
        assertColor(image, inset, bottom, bottomLeft);
        assertColor(image, right, bottom, bottomRight);
    }

    static void assertColor(BufferedImage image, int x, int y, Color expected) {
        Color actual = new Color(image.getRGB(x, y));
        assertThat(distance(actual, expected))
                .as("colour at (%d,%d) is %s, expected about %s", x, y, actual, expected)
                .isLessThan(60);
    }

    private static int distance(Color a, Color b) {
        return Math.abs(a.getRed() - b.getRed())
                + Math.abs(a.getGreen() - b.getGreen())
                + Math.abs(a.getBlue() - b.getBlue());
    }
}
