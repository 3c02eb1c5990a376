package io.chute.processing.image;

import io.chute.common.CountingOutputStream;
import io.chute.processing.UnprocessableFileException;
import io.chute.processing.image.RenditionGeometry.Plan;
import io.chute.processing.image.RenditionGeometry.Size;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.IntStream;
import javax.imageio.IIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Renders JPEG renditions (thumbnails, previews) of an image file in pure Java.
 *
 * <p>Accepts JPEG (including CMYK/YCCK), PNG, GIF (first frame), BMP (uncompressed, bit fields,
 * RLE8 and RLE4) and WebP, recognised from the file's bytes, never its name. A BMP whose pixel data
 * is shorter than its header says is refused before decoding ({@link BmpData}). Colours are
 * converted to sRGB through the embedded ICC profile; a CMYK JPEG without a usable one goes through
 * the standard CMYK profile libvips assumes too (see {@link CmykJpeg}). JPEG EXIF orientation is
 * applied, so renditions are upright and
 * their sizes are those of the upright image. Transparent pixels are flattened onto white.
 * Renditions are never upscaled.
 *
 * <p>Memory is bounded: the pixel count is read from the header and checked against
 * {@code maxPixels} before anything is decoded, and the image is decoded once, subsampled by the
 * largest factor the biggest rendition allows.
 *
 * <p>Thread-safe: instances hold no mutable state and may be shared by worker threads.
 */
public final class ImageRenditions implements RenditionEngine {

    private static final String CONTENT_TYPE = "image/jpeg";
    private static final float JPEG_QUALITY = 0.85f;
    // why: an allow-list, so other installed readers (TIFF, WBMP with its lax sniffing) never run on uploads
    private static final Set<String> SUPPORTED_FORMATS = Set.of("jpeg", "png", "gif", "bmp", "webp");
    private static final Set<String> MEDIA_TYPES =
            Set.of("image/jpeg", "image/png", "image/webp", "image/gif", "image/bmp");

    private static final List<RenditionSpec> STANDARD_SPECS = List.of(
            new RenditionSpec("thumbnail", 200, 200, RenditionSpec.Mode.COVER),
            new RenditionSpec("medium", 800, 800, RenditionSpec.Mode.FIT),
            new RenditionSpec("large", 1920, 1920, RenditionSpec.Mode.FIT));

    private final long maxPixels;

    /**
     * @param maxPixels width*height above which an image is refused before decoding
     *                  (decompression-bomb guard); positive
     * @throws IllegalArgumentException if {@code maxPixels} is not positive
     */
    public ImageRenditions(long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, was " + maxPixels);
        }
        this.maxPixels = maxPixels;
    }

    /**
     * The renditions every shared image gets: {@code thumbnail} 200x200 COVER, {@code medium}
     * 800x800 FIT and {@code large} 1920x1920 FIT.
     */
    public static List<RenditionSpec> standardSpecs() {
        return STANDARD_SPECS;
    }

    @Override
    public String name() {
        return "java";
    }

    /** JPEG, PNG, WebP, GIF and BMP. */
    @Override
    public Set<String> mediaTypes() {
        return MEDIA_TYPES;
    }

    /** {@inheritDoc} Decodes the file once, subsampled, and scales each rendition from the previous one. */
    @Override
    public List<Rendition> render(Path source, List<RenditionSpec> specs, RenditionSink sink) throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(sink, "sink");
        List<RenditionSpec> wanted = List.copyOf(specs);
        requireDistinctNames(wanted);
        if (wanted.isEmpty()) {
            return List.of();
        }
        Decoded decoded = decode(source, wanted);
        List<Plan> plans = decoded.plans();

        Rendition[] written = new Rendition[wanted.size()];
        BufferedImage full = decoded.image();
        BufferedImage previous = full;
        for (int i : largestFirst(plans)) {
            Plan plan = plans.get(i);
            // why: scaling on from the previous (uncropped) result does the same halving steps
            // for less work; the full decode is the fallback when rounding made it too small
            BufferedImage base = sizeOf(previous).covers(plan.scaled()) ? previous : full;
            BufferedImage scaled =
                    Downscaler.scale(base, plan.scaled().width(), plan.scaled().height());
            previous = scaled;
            BufferedImage output = Downscaler.centerCrop(
                    scaled, plan.output().width(), plan.output().height());
            written[i] = write(wanted.get(i).name(), output, sink);
        }
        return List.of(written);
    }

    private record Decoded(BufferedImage image, List<Plan> plans) {}

    private Decoded decode(Path source, List<RenditionSpec> specs) throws IOException {
        // why: Files.size first, so a missing file is an IOException (retryable), not "corrupt"
        if (Files.size(source) == 0) {
            throw new UnprocessableFileException("file is empty");
        }
        // why: a file-backed stream; ImageIO.read(InputStream) would cache the whole file in memory
        try (ImageInputStream input = new FileImageInputStream(source.toFile())) {
            ImageReader reader = readerFor(input);
            try {
                return decode(source, reader, input, specs);
            } catch (UnprocessableFileException e) {
                throw e;
            } catch (IIOException | EOFException | RuntimeException e) {
                // why: readers report malformed data as IIOException, EOFException (BMP) or
                // assorted runtime exceptions; none of them is cured by retrying
                throw corrupt(e);
            } finally {
                reader.dispose();
            }
        }
    }

    private Decoded decode(Path source, ImageReader reader, ImageInputStream input, List<RenditionSpec> specs)
            throws IOException {
        reader.setInput(input, true, true);
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        long pixels = (long) width * height;
        if (pixels > maxPixels) {
            throw new UnprocessableFileException("image has " + pixels + " pixels, limit is " + maxPixels);
        }
        if (isFormat(reader, "bmp")) {
            // why: the BMP reader pads missing pixels with black when it subsamples, so a file far too
            // short for its header would become a picture of the size it claims
            BmpData.requireComplete(source);
        }
        boolean jpeg = isFormat(reader, "jpeg");
        ExifOrientation orientation = jpeg ? ExifOrientation.of(source) : ExifOrientation.UPRIGHT;
        Size upright = orientation.swapsAxes() ? new Size(height, width) : new Size(width, height);
        List<Plan> plans = specs.stream()
                .map(spec -> RenditionGeometry.plan(upright, spec))
                .toList();

        int factor = RenditionGeometry.subsampling(upright, plans);
        ImageReadParam param = reader.getDefaultReadParam();
        param.setSourceSubsampling(factor, factor, 0, 0);
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((r, warning) -> warnings.add(warning));
        BufferedImage image = jpeg && CmykJpeg.isCmyk(reader) ? CmykJpeg.read(reader, param) : reader.read(0, param);
        // why: libjpeg only warns about a truncated file and pads it with grey; a half-grey
        // preview of an incomplete upload is worse than a clear rejection. "Missing EOI" alone
        // is tolerated: some writers omit the marker after complete image data.
        if (warnings.stream().anyMatch(w -> w.toLowerCase(Locale.ROOT).contains("premature end"))) {
            throw new UnprocessableFileException("image data is truncated");
        }
        return new Decoded(toUprightRgb(image, orientation), plans);
    }

    private static ImageReader readerFor(ImageInputStream input) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
        while (readers.hasNext()) {
            ImageReader reader = readers.next();
            if (SUPPORTED_FORMATS.stream().anyMatch(format -> isFormat(reader, format))) {
                return reader;
            }
            reader.dispose();
        }
        throw new UnprocessableFileException("not a supported image format (JPEG, PNG, GIF, BMP or WebP)");
    }

    private static boolean isFormat(ImageReader reader, String format) {
        ImageReaderSpi provider = reader.getOriginatingProvider();
        String[] names = provider != null ? provider.getFormatNames() : new String[0];
        for (String name : names) {
            if (name.equalsIgnoreCase(format)) {
                return true;
            }
        }
        return false;
    }

    private static BufferedImage toUprightRgb(BufferedImage image, ExifOrientation orientation) {
        if (orientation.isUpright() && image.getType() == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        int width = orientation.swapsAxes() ? image.getHeight() : image.getWidth();
        int height = orientation.swapsAxes() ? image.getWidth() : image.getHeight();
        BufferedImage upright = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = upright.createGraphics();
        try {
            // why: JPEG has no alpha; white is what a transparent PNG shows on a light page
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.drawImage(image, orientation.transform(image.getWidth(), image.getHeight()), null);
        } finally {
            g.dispose();
        }
        return upright;
    }

    private static Rendition write(String name, BufferedImage image, RenditionSink sink) throws IOException {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new IllegalStateException("no JPEG ImageWriter installed");
        }
        ImageWriter writer = writers.next();
        try (OutputStream target = Objects.requireNonNull(sink.open(name, CONTENT_TYPE), "sink returned no stream")) {
            CountingOutputStream counted = new CountingOutputStream(target);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(JPEG_QUALITY);
            // why: closing this stream flushes into counted but leaves target open for the outer try
            try (ImageOutputStream output = new MemoryCacheImageOutputStream(counted)) {
                writer.setOutput(output);
                writer.write(null, new IIOImage(image, null, null), param);
            }
            return new Rendition(name, CONTENT_TYPE, image.getWidth(), image.getHeight(), counted.count());
        } finally {
            writer.dispose();
        }
    }

    private static UnprocessableFileException corrupt(Exception e) {
        String detail = e instanceof EOFException
                ? "unexpected end of file"
                : Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
        return new UnprocessableFileException("corrupt or truncated image: " + detail, e);
    }

    static void requireDistinctNames(List<RenditionSpec> specs) {
        Set<String> names = new HashSet<>();
        for (RenditionSpec spec : specs) {
            if (!names.add(spec.name())) {
                throw new IllegalArgumentException("duplicate rendition name: " + spec.name());
            }
        }
    }

    private static int[] largestFirst(List<Plan> plans) {
        return IntStream.range(0, plans.size())
                .boxed()
                .sorted(Comparator.comparingLong(
                                (Integer i) -> plans.get(i).scaled().pixels())
                        .reversed())
                .mapToInt(Integer::intValue)
                .toArray();
    }

    private static Size sizeOf(BufferedImage image) {
        return new Size(image.getWidth(), image.getHeight());
    }
}
