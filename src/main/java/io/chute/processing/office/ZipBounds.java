package io.chute.processing.office;

import io.chute.processing.UnprocessableFileException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Refuses a zip (the container of docx, xlsx, pptx and OpenDocument files) that would unpack to
 * more than a document should: too many entries, too many bytes in all, or too high a ratio of
 * unpacked to packed bytes. Decided from the central directory before anything is inflated, then
 * confirmed by inflating each entry without keeping it, stopping as soon as one inflates past
 * what the directory declares, so a bomb costs a bounded read, never a bounded-by-nothing one.
 */
final class ZipBounds {

    private static final int END_RECORD = 0x06054b50;
    private static final int END_RECORD_SIZE = 22;
    private static final int MAX_COMMENT = 0xFFFF;
    /** A central directory entry is 46 bytes plus its name, extra field and comment. */
    private static final int MAX_DIRECTORY_BYTES_PER_ENTRY = 46 + 3 * 1024;
    /** Below this many unpacked bytes the ratio does not matter: nothing big can come of it. */
    private static final long RATIO_FLOOR = 10L * 1024 * 1024;

    private final int maxEntries;
    private final long maxUnpacked;
    private final int maxRatio;

    ZipBounds(int maxEntries, long maxUnpacked, int maxRatio) {
        this.maxEntries = maxEntries;
        this.maxUnpacked = maxUnpacked;
        this.maxRatio = maxRatio;
    }

    /** @throws UnprocessableFileException if the zip breaks a bound or is not a readable zip */
    void check(Path zip) throws IOException {
        checkDirectorySize(zip);
        try (ZipFile file = new ZipFile(zip.toFile())) {
            long unpacked = 0;
            long packed = 0;
            for (Enumeration<? extends ZipEntry> entries = file.entries(); entries.hasMoreElements(); ) {
                ZipEntry entry = entries.nextElement();
                unpacked += Math.max(0, entry.getSize());
                packed += Math.max(0, entry.getCompressedSize());
                if (unpacked > maxUnpacked) {
                    throw new UnprocessableFileException("the document unpacks to more than " + maxUnpacked + " bytes");
                }
            }
            if (unpacked > RATIO_FLOOR && unpacked > (long) maxRatio * Math.max(1, packed)) {
                throw new UnprocessableFileException("the document unpacks " + unpacked / Math.max(1, packed)
                        + " times its packed size (at most " + maxRatio + " allowed)");
            }
            confirmDeclaredSizes(file);
        } catch (ZipException e) {
            throw new UnprocessableFileException("not a readable zip-based document: " + e.getMessage());
        }
    }

    /**
     * Reads the end-of-central-directory record and refuses too many entries, or a directory too
     * large for them, before {@link ZipFile} loads that directory into memory.
     */
    private void checkDirectorySize(Path zip) throws IOException {
        try (FileChannel channel = FileChannel.open(zip)) {
            long size = channel.size();
            int tail = (int) Math.min(size, END_RECORD_SIZE + MAX_COMMENT);
            ByteBuffer buffer = ByteBuffer.allocate(tail).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(buffer, size - tail);
            for (int at = tail - END_RECORD_SIZE; at >= 0; at--) {
                if (buffer.getInt(at) == END_RECORD) {
                    int entries = Short.toUnsignedInt(buffer.getShort(at + 10));
                    long directoryBytes = Integer.toUnsignedLong(buffer.getInt(at + 12));
                    if (entries > maxEntries || directoryBytes > (long) maxEntries * MAX_DIRECTORY_BYTES_PER_ENTRY) {
                        throw new UnprocessableFileException("the document has more than " + maxEntries + " parts");
                    }
                    return;
                }
            }
            throw new UnprocessableFileException("not a readable zip-based document: no central directory");
        }
    }

    private static void confirmDeclaredSizes(ZipFile file) throws IOException {
        byte[] scratch = new byte[64 * 1024];
        for (Enumeration<? extends ZipEntry> entries = file.entries(); entries.hasMoreElements(); ) {
            ZipEntry entry = entries.nextElement();
            long declared = Math.max(0, entry.getSize());
            long read = 0;
            try (InputStream in = file.getInputStream(entry)) {
                for (int n; (n = in.read(scratch)) > 0; ) {
                    read += n;
                    if (read > declared) {
                        throw new UnprocessableFileException("the document's part " + entry.getName()
                                + " unpacks to more than the " + declared + " bytes it declares");
                    }
                }
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("zip check interrupted");
            }
        }
    }
}
