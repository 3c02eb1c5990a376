package io.chute.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Real office documents for tests, made at test time by LibreOffice itself (as CI installs it)
 * from a plain source holding a known phrase: text for word processors, CSV for spreadsheets,
 * a flat OpenDocument presentation for slides.
 */
public final class OfficeDocuments {

    private OfficeDocuments() {}

    /** A document of format {@code extension} (docx, odt, rtf, xlsx, ods, pptx, odp) showing {@code phrase}. */
    public static Path aDocument(Path dir, String extension, String phrase) {
        try {
            Path work = Files.createTempDirectory(dir, "doc-" + extension + "-");
            Path source = switch (extension) {
                case "docx", "odt", "rtf" -> Files.writeString(work.resolve("source.txt"), phrase + "\nSecond line.\n");
                case "xlsx", "ods" -> Files.writeString(work.resolve("source.csv"), "item,note\n1," + phrase + "\n");
                case "pptx", "odp" -> Files.writeString(work.resolve("source.fodp"), slide(phrase));
                default -> throw new IllegalArgumentException("no recipe for " + extension);
            };
            Process soffice = new ProcessBuilder(
                            "soffice",
                            "--headless",
                            "--norestore",
                            "-env:UserInstallation=" + work.resolve("profile").toUri(),
                            "--convert-to",
                            extension,
                            "--outdir",
                            work.toString(),
                            source.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(work.resolve("soffice.log").toFile())
                    .start();
            if (!soffice.waitFor(120, TimeUnit.SECONDS)) {
                soffice.destroyForcibly();
                throw new IllegalStateException("soffice did not finish making a " + extension);
            }
            Path made = work.resolve("source." + extension);
            if (!Files.isRegularFile(made)) {
                throw new IllegalStateException("soffice (apt-get install libreoffice-core-nogui …) made no "
                        + extension + ": " + Files.readString(work.resolve("soffice.log")));
            }
            return made;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A zip that Tika takes for a Word document (its first entry is {@code [Content_Types].xml})
     * whose body unpacks to {@code unpackedBytes} of zeros: a few hundred kilobytes on disk.
     */
    public static Path aZipBombDisguisedAsDocx(Path dir, long unpackedBytes) {
        Path file = dir.resolve("bomb.docx");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new ZipEntry("[Content_Types].xml"));
            zip.write(
                    ("<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                                    + "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument"
                                    + ".wordprocessingml.document.main+xml\"/></Types>")
                            .getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("word/document.xml"));
            writeZeros(zip, unpackedBytes);
            zip.closeEntry();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeZeros(OutputStream out, long count) throws IOException {
        byte[] zeros = new byte[1 << 20];
        for (long left = count; left > 0; left -= zeros.length) {
            out.write(zeros, 0, (int) Math.min(zeros.length, left));
        }
    }

    private static String slide(String phrase) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" \
                xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" \
                xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" \
                xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.2" \
                office:mimetype="application/vnd.oasis.opendocument.presentation">
                <office:body><office:presentation><draw:page draw:name="p1"><draw:frame svg:x="2cm" svg:y="2cm" \
                svg:width="20cm" svg:height="5cm"><draw:text-box><text:p>%s</text:p></draw:text-box></draw:frame>\
                </draw:page></office:presentation></office:body></office:document>
                """.formatted(phrase);
    }
}
