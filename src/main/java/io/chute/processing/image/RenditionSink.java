package io.chute.processing.image;

import java.io.IOException;
import java.io.OutputStream;

/** Where {@link ImageRenditions#render} writes the encoded renditions. */
@FunctionalInterface
public interface RenditionSink {

    /**
     * Opens a stream for one rendition; the engine writes the encoded bytes and closes it. Called
     * once per spec, possibly in a different order than the specs were given.
     *
     * @param name        the {@link RenditionSpec#name()} being written
     * @param contentType media type of the bytes that will be written
     * @return a stream the engine owns from now on; never {@code null}
     * @throws IOException if the destination cannot be opened; it propagates out of
     *                     {@code render} unchanged
     */
    OutputStream open(String name, String contentType) throws IOException;
}
