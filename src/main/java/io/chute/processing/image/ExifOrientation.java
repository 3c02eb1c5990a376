package io.chute.processing.image;

import com.drew.imaging.jpeg.JpegMetadataReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifReader;
import java.awt.geom.AffineTransform;
import java.nio.file.Path;
import java.util.List;

/**
 * The EXIF orientation tag (1-8): how the stored pixels must be flipped and rotated to be shown
 * upright. Values follow the EXIF/TIFF spec: 1 upright, 2 mirrored, 3 rotated 180°, 4 flipped
 * vertically, 5 transposed, 6 needs 90° clockwise, 7 transversed, 8 needs 90° counter-clockwise.
 */
record ExifOrientation(int value) {

    static final ExifOrientation UPRIGHT = new ExifOrientation(1);

    ExifOrientation {
        if (value < 1 || value > 8) {
            throw new IllegalArgumentException("EXIF orientation must be 1-8, was " + value);
        }
    }

    /**
     * Reads the orientation of a JPEG file; {@link #UPRIGHT} when the tag is absent, out of range
     * or the metadata cannot be parsed, since a broken EXIF block must not reject a decodable
     * image. Only the segments before the image data are read.
     */
    static ExifOrientation of(Path jpeg) {
        try {
            Metadata metadata = JpegMetadataReader.readMetadata(jpeg.toFile(), List.of(new ExifReader()));
            ExifIFD0Directory ifd0 = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
            if (ifd0 == null || !ifd0.containsTag(ExifIFD0Directory.TAG_ORIENTATION)) {
                return UPRIGHT;
            }
            int value = ifd0.getInt(ExifIFD0Directory.TAG_ORIENTATION);
            return value >= 1 && value <= 8 ? new ExifOrientation(value) : UPRIGHT;
        } catch (Exception unreadable) {
            // why: metadata-extractor throws checked and unchecked exceptions on bad EXIF alike
            return UPRIGHT;
        }
    }

    /** Whether width and height trade places (the 90° cases 5-8). */
    boolean swapsAxes() {
        return value >= 5;
    }

    boolean isUpright() {
        return value == 1;
    }

    /**
     * Maps a stored image of {@code width x height} onto the upright image. Only quarter turns
     * and flips with integer translations, so nearest-neighbour drawing moves pixels exactly.
     */
    AffineTransform transform(int width, int height) {
        // AffineTransform(m00, m10, m01, m11, m02, m12): x' = m00*x + m01*y + m02, y' = m10*x + m11*y + m12
        return switch (value) {
            case 1 -> new AffineTransform();
            case 2 -> new AffineTransform(-1, 0, 0, 1, width, 0);
            case 3 -> new AffineTransform(-1, 0, 0, -1, width, height);
            case 4 -> new AffineTransform(1, 0, 0, -1, 0, height);
            case 5 -> new AffineTransform(0, 1, 1, 0, 0, 0);
            case 6 -> new AffineTransform(0, 1, -1, 0, height, 0);
            case 7 -> new AffineTransform(0, -1, -1, 0, height, width);
            case 8 -> new AffineTransform(0, -1, 1, 0, 0, width);
            default -> throw new IllegalStateException("unreachable: " + value);
        };
    }
}
