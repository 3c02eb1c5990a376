package io.chute.support;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import javax.imageio.ImageIO;

/** Real image files for tests, made on the fly. */
public final class Images {

    private Images() {}

    /** A JPEG of the given size with a gradient (so it compresses like a photo, not like a flat fill). */
    public static Path jpeg(Path dir, int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setPaint(new GradientPaint(0, 0, Color.ORANGE, width, height, Color.BLUE));
        g.fillRect(0, 0, width, height);
        g.dispose();
        try {
            Path file = Files.createTempFile(dir, "img-" + width + "x" + height + "-", ".jpg");
            ImageIO.write(image, "jpg", file.toFile());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A real JPEG followed by zeros up to {@code size} bytes: still detected as image/jpeg and rendered. */
    public static Path paddedJpeg(Path dir, long size) {
        Path photo = jpeg(dir, 640, 480);
        try (FileChannel channel = FileChannel.open(photo, StandardOpenOption.WRITE)) {
            channel.truncate(size);
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {0}), size - 1);
            return photo;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The pixel size of an encoded image. */
    public static int[] size(byte[] encoded) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(encoded));
            if (image == null) {
                throw new AssertionError("not a readable image (" + encoded.length + " bytes)");
            }
            return new int[] {image.getWidth(), image.getHeight()};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
