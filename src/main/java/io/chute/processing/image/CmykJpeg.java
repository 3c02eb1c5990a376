package io.chute.processing.image;

import java.awt.color.CMMException;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.color.ProfileDataException;
import java.awt.image.BufferedImage;
import java.awt.image.ColorConvertOp;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataFormatImpl;
import org.w3c.dom.Node;

/**
 * Reads a CMYK (or Adobe YCCK) JPEG as sRGB pixels through an ICC profile: the file's own when it
 * can convert to colour, else the standard CMYK profile, {@code cmyk.icc}, the one libvips assumes
 * in the same cases, so that both engines show a print file alike.
 *
 * <p>The embedded profile is unusable when it cannot be linked to sRGB, e.g. when it has no
 * device-to-colour table at all (A2B0, A2B1 or A2B2). One with only its perceptual table (A2B0)
 * is used as it is: the colour management module falls back to that table.
 */
final class CmykJpeg {

    /** The classpath resource, next to this class, of the standard CMYK profile (origin in its NOTICE). */
    static final String STANDARD_PROFILE = "cmyk.icc";

    private CmykJpeg() {}

    /** The profile loaded once, on first use; lazily, so that engines never shown CMYK never parse it. */
    private static final class Standard {

        static final ICC_ColorSpace SPACE = new ICC_ColorSpace(load());

        private static ICC_Profile load() {
            try (InputStream in = Objects.requireNonNull(
                    CmykJpeg.class.getResourceAsStream(STANDARD_PROFILE), STANDARD_PROFILE + " is missing")) {
                return ICC_Profile.getInstance(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + STANDARD_PROFILE, e);
            }
        }
    }

    /** The standard CMYK profile, as a colour space. */
    static ICC_ColorSpace standard() {
        return Standard.SPACE;
    }

    /** Whether the JPEG {@code reader} is set on stores CMYK or YCCK samples. */
    static boolean isCmyk(ImageReader reader) throws IOException {
        return reader.getRawImageType(0).getColorModel().getColorSpace().getType() == ColorSpace.TYPE_CMYK;
    }

    /**
     * The image {@code reader} is set on (a CMYK JPEG, see {@link #isCmyk}), decoded with
     * {@code param} and converted to sRGB.
     */
    static BufferedImage read(ImageReader reader, ImageReadParam param) throws IOException {
        ColorSpace embedded = reader.getRawImageType(0).getColorModel().getColorSpace();
        if (embedded instanceof ICC_ColorSpace profile && convertsToSrgb(profile)) {
            // why: the reader converts through the embedded profile itself, undoing Adobe's inversion first
            return reader.read(0, param);
        }
        // why: without a usable embedded profile the reader falls back to a naive formula (far off
        // in colour); the samples as stored are read instead and converted here
        WritableRaster ink = writable(reader.readRaster(0, param));
        toInk(ink, isYcck(reader));
        return toSrgb(ink, standard());
    }

    /**
     * Whether a transform from {@code cmyk} to sRGB can be built, tried on one pixel: the colour
     * management module links the profiles only when converting.
     */
    static boolean convertsToSrgb(ICC_ColorSpace cmyk) {
        if (cmyk.getNumComponents() != 4) {
            return false;
        }
        try {
            toSrgb(Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 1, 1, 4, null), cmyk);
            return true;
        } catch (CMMException | ProfileDataException | IllegalArgumentException e) {
            return false;
        }
    }

    private static WritableRaster writable(Raster raster) {
        if (raster instanceof WritableRaster writable && raster.getMinX() == 0 && raster.getMinY() == 0) {
            return writable;
        }
        WritableRaster copy = raster.createCompatibleWritableRaster(raster.getWidth(), raster.getHeight());
        copy.setRect(-raster.getMinX(), -raster.getMinY(), raster);
        return copy;
    }

    /** sRGB pixels of {@code cmyk}, four byte samples per pixel (0 = no ink), through {@code profile}. */
    private static BufferedImage toSrgb(WritableRaster cmyk, ICC_ColorSpace profile) {
        ColorModel model = new ComponentColorModel(profile, false, false, ColorModel.OPAQUE, DataBuffer.TYPE_BYTE);
        BufferedImage source = new BufferedImage(model, cmyk, false, null);
        BufferedImage rgb = new BufferedImage(cmyk.getWidth(), cmyk.getHeight(), BufferedImage.TYPE_INT_RGB);
        // why: without colour spaces of its own, the op converts from the source image's to the target's
        return new ColorConvertOp(null).filter(source, rgb);
    }

    /**
     * Turns stored samples into ink amounts (0 = none), as the JPEG reader does before converting
     * through an embedded profile: Adobe applications store CMYK inverted; YCCK holds the
     * colour channels as YCbCr (decoded with the JFIF equations) and black inverted.
     */
    // why: hand-written, since the reader does this only on its way to sRGB through a profile of the file's
    private static void toInk(WritableRaster raster, boolean ycck) {
        int width = raster.getWidth();
        int[] row = new int[width * 4];
        for (int y = 0; y < raster.getHeight(); y++) {
            raster.getPixels(0, y, width, 1, row);
            for (int i = 0; i < row.length; i += 4) {
                if (ycck) {
                    int luma = row[i];
                    int cb = row[i + 1] - 128;
                    int cr = row[i + 2] - 128;
                    row[i] = clamp(luma + 1.402 * cr);
                    row[i + 1] = clamp(luma - 0.344136 * cb - 0.714136 * cr);
                    row[i + 2] = clamp(luma + 1.772 * cb);
                } else {
                    row[i] = 255 - row[i];
                    row[i + 1] = 255 - row[i + 1];
                    row[i + 2] = 255 - row[i + 2];
                }
                row[i + 3] = 255 - row[i + 3];
            }
            raster.setPixels(0, y, width, 1, row);
        }
    }

    private static int clamp(double value) {
        return (int) Math.max(0, Math.min(255, Math.round(value)));
    }

    /** Whether the reader takes the file for YCCK (Adobe APP14 transform 2), read from its standard metadata. */
    private static boolean isYcck(ImageReader reader) throws IOException {
        Node root = reader.getImageMetadata(0).getAsTree(IIOMetadataFormatImpl.standardMetadataFormatName);
        Node chroma = child(root, "Chroma");
        Node type = chroma == null ? null : child(chroma, "ColorSpaceType");
        Node name = type == null ? null : type.getAttributes().getNamedItem("name");
        return name != null && "YCCK".equals(name.getNodeValue());
    }

    private static Node child(Node parent, String name) {
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (name.equals(node.getNodeName())) {
                return node;
            }
        }
        return null;
    }
}
