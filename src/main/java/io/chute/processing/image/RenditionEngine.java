package io.chute.processing.image;

import io.chute.processing.UnprocessableFileException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Renders JPEG renditions of image files. Every engine gives the same geometry for the same
 * specs (see {@link RenditionSpec}): EXIF orientation applied, never upscaled, COVER centre-cropped,
 * transparency flattened onto white; they differ in speed and in the formats they read.
 *
 * <p>Implementations are thread-safe and may be shared by worker threads.
 */
public interface RenditionEngine {

    /** A short name for logs, e.g. {@code java} or {@code libvips 8.14.1}. */
    String name();

    /**
     * The media types (as detected from the bytes, e.g. {@code image/jpeg}) this engine reads.
     * A file of another type is refused with {@link UnprocessableFileException}.
     */
    Set<String> mediaTypes();

    /**
     * Renders every spec from the image file at {@code source}, writing each encoded rendition
     * through {@code sink}. Returns what was written, in spec order.
     *
     * <p>Each rendition is a JPEG ({@code image/jpeg}) opened through {@link RenditionSink#open}
     * exactly once; the sink is called largest rendition first, not necessarily in spec order.
     * If this throws, renditions opened before the failure may have been written; cleaning them
     * up is the caller's business.
     *
     * @param specs renditions to produce, with distinct names; empty yields an empty list without
     *              reading the file
     * @throws UnprocessableFileException if the file is empty, not a supported image format,
     *                                    corrupt or truncated, or has more pixels than the
     *                                    engine's limit; retrying cannot help
     * @throws IOException                if the file cannot be read, the sink fails or the engine
     *                                    itself fails (missing tool, timeout); may be transient
     * @throws IllegalArgumentException   if two specs share a name
     */
    List<Rendition> render(Path source, List<RenditionSpec> specs, RenditionSink sink) throws IOException;
}
