package io.chute.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Everyday files of the kinds people share, made on the spot in {@code dir}. */
public final class SampleFiles {

    private SampleFiles() {}

    public static Path text(Path dir, String name, String content) {
        return write(dir.resolve(name), content.getBytes(StandardCharsets.UTF_8));
    }

    public static Path notes(Path dir) {
        return text(dir, "notes.txt", "Meeting notes\n- ship any file\n- allow other origins\n".repeat(20));
    }

    public static Path csv(Path dir) {
        StringBuilder csv = new StringBuilder("id,name,amount\n");
        for (int i = 1; i <= 200; i++) {
            csv.append(i).append(",item ").append(i).append(',').append(i * 3).append('\n');
        }
        return text(dir, "report.csv", csv.toString());
    }

    public static Path zip(Path dir) {
        return zipOf(dir.resolve("bundle.zip"), new String[][] {{"a.txt", "first file"}, {"b/c.txt", "second file"}});
    }

    /** A minimal Office Open XML word-processing document: the parts Word needs to open it. */
    public static Path docx(Path dir) {
        return zipOf(dir.resolve("letter.docx"), new String[][] {
            {
                "[Content_Types].xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                        + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
                        + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
                        + "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>"
            },
            {
                "_rels/.rels",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                        + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>"
            },
            {
                "word/document.xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
                        + "<w:body><w:p><w:r><w:t>Dear Chute,</w:t></w:r></w:p></w:body></w:document>"
            }
        });
    }

    public static Path html(Path dir) {
        return text(
                dir,
                "page.html",
                "<!DOCTYPE html><html><head><title>x</title></head><body>"
                        + "<script>document.title = 'ran'</script></body></html>\n");
    }

    public static Path svg(Path dir) {
        return text(
                dir,
                "drawing.svg",
                "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">"
                        + "<script>alert(1)</script><rect width=\"10\" height=\"10\"/></svg>\n");
    }

    /** Bytes no detector knows: seeded random data. */
    public static Path unknownBinary(Path dir, int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        bytes[0] = 0x13; // why: no magic number starts with it, so the bytes can never look like a known type by chance
        return write(dir.resolve("blob.bin"), bytes);
    }

    /** The start of a Windows executable (DOS header), enough to be one by its bytes and its name. */
    public static Path exe(Path dir) {
        byte[] bytes = new byte[4096];
        bytes[0] = 'M';
        bytes[1] = 'Z';
        return write(dir.resolve("setup.exe"), bytes);
    }

    private static Path zipOf(Path file, String[][] entries) {
        try (OutputStream out = Files.newOutputStream(file);
                ZipOutputStream zip = new ZipOutputStream(out)) {
            for (String[] entry : entries) {
                zip.putNextEntry(new ZipEntry(entry[0]));
                zip.write(entry[1].getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
