package io.chute.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/** Real PDF files for tests, made on the fly with PDFBox and a standard 14 font. */
public final class Pdfs {

    private Pdfs() {}

    /** A one-page A4 PDF saying "Hello"; change it with the builder's methods. */
    public static Builder aPdf() {
        return new Builder();
    }

    /** Builds a PDF whose pages hold known lines of text. */
    public static final class Builder {
        private final List<List<String>> pages = new ArrayList<>(List.of(List.of("Hello")));
        private PDRectangle pageSize = PDRectangle.A4;
        private String title;
        private String author;
        private String userPassword;
        private String ownerPassword;
        private Integer claimedPageCount;

        private Builder() {}

        /** One page per argument, each showing that text on one line (ASCII only: WinAnsi encoding). */
        public Builder withPages(String... texts) {
            pages.clear();
            for (String text : texts) {
                pages.add(List.of(text));
            }
            return this;
        }

        /** One page per element, each showing its lines top to bottom. */
        public Builder withPageLines(List<List<String>> lines) {
            pages.clear();
            pages.addAll(lines);
            return this;
        }

        /** Every page {@code width} x {@code height} points (1/72 inch). */
        public Builder withPageSize(float width, float height) {
            pageSize = new PDRectangle(width, height);
            return this;
        }

        public Builder withTitle(String value) {
            title = value;
            return this;
        }

        public Builder withAuthor(String value) {
            author = value;
            return this;
        }

        /** Encrypted so that opening it needs {@code password}. */
        public Builder encryptedWithUserPassword(String password) {
            userPassword = password;
            ownerPassword = "owner-" + password;
            return this;
        }

        /** Encrypted with an owner password only: it opens without one, with restricted permissions. */
        public Builder restrictedWithOwnerPassword(String password) {
            userPassword = "";
            ownerPassword = password;
            return this;
        }

        /** A malformed page tree whose /Count claims {@code count} pages, whatever is really there. */
        public Builder claimingPageCount(int count) {
            claimedPageCount = count;
            return this;
        }

        public Path writeTo(Path dir) {
            try (PDDocument document = new PDDocument()) {
                PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
                for (List<String> lines : pages) {
                    PDPage page = new PDPage(pageSize);
                    document.addPage(page);
                    try (PDPageContentStream content = new PDPageContentStream(document, page)) {
                        content.beginText();
                        content.setFont(font, 12);
                        content.setLeading(14);
                        content.newLineAtOffset(36, Math.min(pageSize.getHeight() - 36, 800));
                        for (String line : lines) {
                            content.showText(line);
                            content.newLine();
                        }
                        content.endText();
                    }
                }
                if (claimedPageCount != null) {
                    document.getPages().getCOSObject().setInt(COSName.COUNT, claimedPageCount);
                }
                PDDocumentInformation info = document.getDocumentInformation();
                info.setTitle(title);
                info.setAuthor(author);
                if (ownerPassword != null) {
                    AccessPermission permissions = new AccessPermission();
                    permissions.setCanExtractContent(false);
                    StandardProtectionPolicy policy =
                            new StandardProtectionPolicy(ownerPassword, userPassword, permissions);
                    policy.setEncryptionKeyLength(128);
                    document.protect(policy);
                }
                Path file = Files.createTempFile(dir, "doc-", ".pdf");
                document.save(file.toFile());
                return file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
