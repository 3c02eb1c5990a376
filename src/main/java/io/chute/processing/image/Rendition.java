package io.chute.processing.image;

/**
 * A rendition that {@link ImageRenditions#render} has written to its {@link RenditionSink}.
 *
 * @param name        the {@link RenditionSpec#name()} it was rendered for
 * @param contentType media type of the bytes written, e.g. {@code image/jpeg}
 * @param width       width in pixels of the encoded image
 * @param height      height in pixels of the encoded image
 * @param size        number of bytes written to the sink
 */
public record Rendition(String name, String contentType, int width, int height, long size) {

    public Rendition {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("rendition name must not be blank");
        }
        if (contentType == null || contentType.isBlank()) {
            throw new IllegalArgumentException("rendition content type must not be blank");
        }
        if (width <= 0 || height <= 0 || size < 0) {
            throw new IllegalArgumentException("invalid rendition " + width + "x" + height + ", " + size + " bytes");
        }
    }
}
