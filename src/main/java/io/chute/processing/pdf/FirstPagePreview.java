package io.chute.processing.pdf;

import io.chute.processing.UnprocessableFileException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.rendering.ImageType;
import org.apache.pdfbox.rendering.PDFRenderer;

/**
 * Renders a document's first page as a JPEG whose long side is at most {@code maxSize} pixels,
 * whatever the page's size: the scale comes from the page's visible box, so a 200-inch poster
 * costs no more memory than a letter page.
 */
public final class FirstPagePreview {

    public static final String CONTENT_TYPE = "image/jpeg";
    private static final float JPEG_QUALITY = 0.85f;
    // why: a small page (a ticket, a business card) is drawn at up to 144 dpi, sharp enough,
    // rather than blown up to maxSize
    private static final float MAX_SCALE = 2f;

    private final int maxSize;

    FirstPagePreview(int maxSize) {
        this.maxSize = maxSize;
    }

    /** The first page, rendered in RGB on white. */
    BufferedImage render(PDDocument document) throws IOException {
        PDPage first = document.getPage(0);
        PDRectangle box = first.getCropBox();
        float scale = scaleFor(box.getWidth(), box.getHeight(), maxSize);
        PDFRenderer renderer = new PDFRenderer(document);
        // why: a page holding a huge scan is drawn from a subsampled decode, not a full one
        renderer.setSubsamplingAllowed(true);
        return renderer.renderImage(0, scale, ImageType.RGB);
    }

    /**
     * The rendering scale (pixels per point) that fits a {@code width} x {@code height} point
     * page into {@code maxSize} pixels on its long side, never above {@link #MAX_SCALE}.
     *
     * @throws UnprocessableFileException if the page has no area
     */
    static float scaleFor(float width, float height, int maxSize) {
        float longSide = Math.max(Math.abs(width), Math.abs(height));
        if (!Float.isFinite(longSide) || Math.min(Math.abs(width), Math.abs(height)) <= 0) {
            throw new UnprocessableFileException("the first page has no area (" + width + " x " + height + " pt)");
        }
        // why: PDFBox floors width*scale; aiming half a pixel over keeps float rounding from
        // giving maxSize - 1, and the floor from ever giving maxSize + 1
        return Math.min(MAX_SCALE, (maxSize + 0.5f) / longSide);
    }

    /** Encodes {@code image} as a JPEG into {@code target}, which it leaves open. */
    public static void writeJpeg(BufferedImage image, OutputStream target) throws IOException {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new IllegalStateException("no JPEG ImageWriter installed");
        }
        ImageWriter writer = writers.next();
        try (ImageOutputStream output = new MemoryCacheImageOutputStream(target)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(JPEG_QUALITY);
            writer.setOutput(output);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
    }
}
