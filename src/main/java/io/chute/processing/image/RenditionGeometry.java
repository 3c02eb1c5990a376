package io.chute.processing.image;

import java.util.Collection;

/**
 * The arithmetic of renditions, kept apart from pixels so it can be tested exhaustively and fast.
 * All sizes are of the image as displayed, i.e. after EXIF orientation.
 */
final class RenditionGeometry {

    private RenditionGeometry() {}

    record Size(int width, int height) {

        Size {
            if (width <= 0 || height <= 0) {
                throw new IllegalArgumentException("size must be positive, was " + width + "x" + height);
            }
        }

        long pixels() {
            return (long) width * height;
        }

        boolean covers(Size other) {
            return width >= other.width && height >= other.height;
        }
    }

    /**
     * How to obtain one rendition: scale the whole image to {@code scaled}, then center-crop to
     * {@code output}. For FIT both are the same; {@code output} never exceeds {@code scaled}.
     */
    record Plan(Size scaled, Size output) {

        boolean crops() {
            return !scaled.equals(output);
        }
    }

    static Plan plan(Size source, RenditionSpec spec) {
        double widthRatio = (double) spec.width() / source.width();
        double heightRatio = (double) spec.height() / source.height();
        double scale = switch (spec.mode()) {
            case FIT -> Math.min(widthRatio, heightRatio);
            case COVER -> Math.max(widthRatio, heightRatio);
        };
        // why: renditions never upscale; a small image keeps its pixels
        scale = Math.min(1.0, scale);
        Size scaled = new Size(scaledSide(source.width(), scale), scaledSide(source.height(), scale));
        return switch (spec.mode()) {
            // why: min() only absorbs floating-point noise; the ratio already fits the box
            case FIT -> {
                Size fitted =
                        new Size(Math.min(scaled.width(), spec.width()), Math.min(scaled.height(), spec.height()));
                yield new Plan(fitted, fitted);
            }
            case COVER ->
                new Plan(
                        scaled,
                        new Size(Math.min(scaled.width(), spec.width()), Math.min(scaled.height(), spec.height())));
        };
    }

    /**
     * The largest decoder subsampling factor (same on both axes) whose output is still at least as
     * big as every plan's {@code scaled} size, so no rendition is ever upscaled from a
     * subsampled decode. Decoding {@code n} pixels with factor {@code k} yields
     * {@code ceil(n / k)} pixels, and {@code k <= n / scaled} keeps that {@code >= scaled}.
     */
    static int subsampling(Size source, Collection<Plan> plans) {
        int factor = Integer.MAX_VALUE;
        for (Plan plan : plans) {
            factor = Math.min(factor, source.width() / plan.scaled().width());
            factor = Math.min(factor, source.height() / plan.scaled().height());
        }
        return plans.isEmpty() ? 1 : Math.max(1, factor);
    }

    private static int scaledSide(int side, double scale) {
        // why: a 10000x10 panorama fitted into 200x200 is 200x0.2; keep at least one pixel
        return (int) Math.max(1, Math.min(side, Math.round(side * scale)));
    }
}
