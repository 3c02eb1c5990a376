package io.chute.processing.image;

import io.chute.config.ChuteProperties;
import io.chute.job.Output;
import io.chute.processing.Processor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Images → {@code thumbnail} (200x200 cover), {@code medium} (fits 800x800), {@code large} (fits 1920x1920).
 *
 * <p>Rendered by libvips when {@code chute.processing.image-engine} allows it and its tools are
 * installed, in pure Java otherwise. Formats only the Java engine reads (BMP) stay with it even
 * when libvips is in use, so installing libvips never narrows what is accepted.
 */
@Component
class ImageProcessor implements Processor {

    private static final Logger log = LoggerFactory.getLogger(ImageProcessor.class);

    private final RenditionEngine engine;
    private final ImageRenditions java;

    ImageProcessor(ChuteProperties properties) {
        ChuteProperties.Processing processing = properties.processing();
        this.java = new ImageRenditions(processing.maxPixels());
        this.engine = switch (processing.imageEngine()) {
            case JAVA -> java;
            case VIPS ->
                vips(processing, properties.dataDir())
                        .orElseThrow(() -> new IllegalStateException(
                                "chute.processing.image-engine is vips but the libvips tools (vips, vipsheader) are not in "
                                        + where(processing)
                                        + "; install them (Debian: apt-get install libvips-tools)"));
            case AUTO ->
                vips(processing, properties.dataDir())
                        .map(RenditionEngine.class::cast)
                        .orElse(java);
        };
        TreeSet<String> viaJava = new TreeSet<>(java.mediaTypes());
        viaJava.removeAll(engine.mediaTypes());
        log.info(
                "Images rendered by {} ({}){}",
                engine.name(),
                new TreeSet<>(engine.mediaTypes()),
                engine == java || viaJava.isEmpty() ? "" : ", and by java for " + viaJava);
    }

    private static Optional<VipsRenditions> vips(ChuteProperties.Processing processing, Path dataDir) {
        Optional<Path> tools = VipsRenditions.findTools(processing.vips().path());
        if (tools.isEmpty()) {
            if (processing.imageEngine() == ChuteProperties.Processing.ImageEngine.AUTO) {
                log.info("libvips tools not found in {}: images are rendered in pure Java", where(processing));
            }
            return Optional.empty();
        }
        try {
            return Optional.of(VipsRenditions.start(
                    tools.get(), processing.maxPixels(), processing.vips().timeout(), dataDir.resolve("tmp")));
        } catch (IOException e) {
            if (processing.imageEngine() == ChuteProperties.Processing.ImageEngine.VIPS) {
                throw new UncheckedIOException("libvips in " + tools.get() + " does not work", e);
            }
            log.warn("libvips in {} does not work, images are rendered in pure Java: {}", tools.get(), e.getMessage());
            return Optional.empty();
        }
    }

    private static String where(ChuteProperties.Processing processing) {
        return processing.vips().path() != null ? processing.vips().path().toString() : "the PATH";
    }

    @Override
    public String jobType() {
        return "image";
    }

    @Override
    public boolean handles(String mediaType) {
        return engine.mediaTypes().contains(mediaType) || java.mediaTypes().contains(mediaType);
    }

    @Override
    public String name() {
        return "image";
    }

    /** The engine that renders files of {@code mediaType}. */
    RenditionEngine engineFor(String mediaType) {
        return engine.mediaTypes().contains(mediaType) ? engine : java;
    }

    @Override
    public Step process(Context context) throws Exception {
        List<Rendition> written =
                engineFor(context.mediaType()).render(context.file(), ImageRenditions.standardSpecs(), context::create);
        Map<String, Output> outputs = new LinkedHashMap<>();
        for (Rendition r : written) {
            outputs.put(
                    r.name(),
                    new Output(context.outputKey(r.name()), r.size(), r.contentType(), r.width(), r.height()));
        }
        return new Step(outputs, originalSize(context.file(), written));
    }

    /**
     * The original's upright size as {@code width} and {@code height} metadata, so a client shows the
     * photo's dimensions rather than a rendition's: read from the header alone (no decoding), the EXIF
     * orientation applied. For formats only libvips reads, the largest rendition's size when it was not
     * scaled down (renditions are never upscaled); nothing when it was.
     */
    static Map<String, Object> originalSize(Path file, List<Rendition> written) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers != null && readers.hasNext()) {
                ImageReader reader = readers.next();
                try {
                    reader.setInput(in, true, true);
                    int width = reader.getWidth(0);
                    int height = reader.getHeight(0);
                    boolean turned = "jpeg".equalsIgnoreCase(reader.getFormatName())
                            && ExifOrientation.of(file).swapsAxes();
                    return turned ? Map.of("width", height, "height", width) : Map.of("width", width, "height", height);
                } finally {
                    reader.dispose();
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // why: the size is a courtesy to clients; the renditions already showed the file can be read
            log.debug("Header of {} not read: {}", file, unreadable.toString());
        }
        RenditionSpec largest = ImageRenditions.standardSpecs().getLast();
        return written.stream()
                .filter(r -> r.name().equals(largest.name()))
                .filter(r -> r.width() < largest.width() && r.height() < largest.height())
                .findFirst()
                .<Map<String, Object>>map(r -> Map.of("width", r.width(), "height", r.height()))
                .orElse(Map.of());
    }
}
