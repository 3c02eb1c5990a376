package io.chute.processing.image;

/**
 * One rendition to produce from a source image: a box and how the image fills it. Renditions are
 * never upscaled: an image smaller than the box keeps its own size (see {@link Mode}).
 *
 * @param name   identifies the rendition to the {@link RenditionSink}; not blank
 * @param width  box width in pixels, positive
 * @param height box height in pixels, positive
 * @param mode   how the image is fitted into the box
 */
public record RenditionSpec(String name, int width, int height, Mode mode) {

    /** How an image is fitted into the box of a {@link RenditionSpec}. */
    public enum Mode {
        /**
         * Scale down so the image covers the box, then center-crop to exactly the box; an image
         * smaller than the box on a side is cropped to {@code min(box, image)} on that side.
         */
        COVER,
        /** Scale down, keeping the aspect ratio, until the image fits inside the box. */
        FIT
    }

    /** @throws IllegalArgumentException if a component is missing, blank or not positive */
    public RenditionSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("rendition name must not be blank");
        }
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("rendition box must be positive, was " + width + "x" + height);
        }
        if (mode == null) {
            throw new IllegalArgumentException("rendition mode is required");
        }
    }
}
