package io.chute.processing.image;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * Good-quality downscaling of {@code TYPE_INT_RGB} images by progressive bilinear halving (the
 * approach of Thumbnailator and Chris Campbell's "Perils of Image.getScaledInstance()"): a
 * bilinear step at exactly 1/2 averages each 2x2 block, so repeated halving acts as a box filter
 * and avoids the aliasing of a single large bilinear or nearest-neighbour step.
 */
final class Downscaler {

    private Downscaler() {}

    /** Scales {@code source} to exactly {@code width x height}; returns it as is if already so. */
    static BufferedImage scale(BufferedImage source, int width, int height) {
        BufferedImage current = source;
        int currentWidth = source.getWidth();
        int currentHeight = source.getHeight();
        while (currentWidth != width || currentHeight != height) {
            // why: never step below the target, so the last step is between 1/2 and 1
            currentWidth = Math.max(width, currentWidth / 2);
            currentHeight = Math.max(height, currentHeight / 2);
            current = draw(current, currentWidth, currentHeight);
        }
        return current;
    }

    /** The centered {@code width x height} region of {@code source}, as an independent image. */
    static BufferedImage centerCrop(BufferedImage source, int width, int height) {
        if (source.getWidth() == width && source.getHeight() == height) {
            return source;
        }
        int x = (source.getWidth() - width) / 2;
        int y = (source.getHeight() - height) / 2;
        BufferedImage cropped = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = cropped.createGraphics();
        try {
            // why: copy rather than getSubimage, which would pin the larger raster in memory
            g.drawImage(source, -x, -y, null);
        } finally {
            g.dispose();
        }
        return cropped;
    }

    private static BufferedImage draw(BufferedImage source, int width, int height) {
        BufferedImage target = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = target.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(source, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return target;
    }
}
