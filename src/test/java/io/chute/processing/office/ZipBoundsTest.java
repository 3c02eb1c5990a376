package io.chute.processing.office;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chute.processing.UnprocessableFileException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZipBoundsTest {

    private static final ZipBounds BOUNDS = new ZipBounds(100, 50L * 1024 * 1024, 100);

    @TempDir
    Path dir;

    @Test
    void acceptsAnOrdinaryZip() throws IOException {
        Path zip = aZip("ok.zip", 5, 1000);

        assertThatCode(() -> BOUNDS.check(zip)).doesNotThrowAnyException();
    }

    @Test
    void refusesMoreEntriesThanAllowedFromTheEndRecordAlone() throws IOException {
        Path zip = aZip("many.zip", 101, 1);

        assertThatThrownBy(() -> BOUNDS.check(zip))
                .isInstanceOf(UnprocessableFileException.class)
                .hasMessageContaining("more than 100 parts");
    }

    @Test
    void refusesAZipThatUnpacksToMoreThanTheLimit() throws IOException {
        Path zip = aZip("big.zip", 1, 51L * 1024 * 1024);

        assertThatThrownBy(() -> BOUNDS.check(zip))
                .isInstanceOf(UnprocessableFileException.class)
                .hasMessageContaining("unpacks to more than");
    }

    @Test
    void refusesAHighRatioAboveTheFloor() throws IOException {
        Path zip = aZip("ratio.zip", 1, 20L * 1024 * 1024);

        assertThatThrownBy(() -> BOUNDS.check(zip))
                .isInstanceOf(UnprocessableFileException.class)
                .hasMessageContaining("times its packed size");
    }

    @Test
    void refusesAnEntryThatInflatesPastTheSizeItDeclares() throws IOException {
        Path zip = aZip("liar.zip", 1, 4096);
        lieAboutUncompressedSizes(zip, 10);

        assertThatThrownBy(() -> BOUNDS.check(zip))
                .isInstanceOf(UnprocessableFileException.class)
                .hasMessageContaining("declares");
    }

    @Test
    void refusesWhatIsNotAZip() throws IOException {
        Path file = Files.writeString(dir.resolve("plain.docx"), "not a zip at all");

        assertThatThrownBy(() -> BOUNDS.check(file))
                .isInstanceOf(UnprocessableFileException.class)
                .hasMessageContaining("not a readable zip");
    }

    private Path aZip(String name, int entries, long zerosPerEntry) throws IOException {
        Path file = dir.resolve(name);
        byte[] zeros = new byte[64 * 1024];
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            for (int i = 0; i < entries; i++) {
                zip.putNextEntry(new ZipEntry("part-" + i + ".xml"));
                for (long left = zerosPerEntry; left > 0; left -= zeros.length) {
                    zip.write(zeros, 0, (int) Math.min(zeros.length, left));
                }
                zip.closeEntry();
            }
        }
        return file;
    }

    /** Rewrites every central directory entry's uncompressed size to {@code size}. */
    private static void lieAboutUncompressedSizes(Path zip, int size) throws IOException {
        byte[] bytes = Files.readAllBytes(zip);
        try (RandomAccessFile file = new RandomAccessFile(zip.toFile(), "rw")) {
            for (int at = 0; at + 46 <= bytes.length; at++) {
                if (bytes[at] == 0x50 && bytes[at + 1] == 0x4b && bytes[at + 2] == 0x01 && bytes[at + 3] == 0x02) {
                    file.seek(at + 24);
                    file.write(new byte[] {(byte) size, 0, 0, 0});
                }
            }
        }
    }
}
