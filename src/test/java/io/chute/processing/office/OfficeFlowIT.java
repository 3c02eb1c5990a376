package io.chute.processing.office;

import static io.chute.support.FileFlow.metadata;
import static io.chute.support.FileFlow.output;
import static io.chute.support.FileFlow.outputs;
import static io.chute.support.FileFlow.uploadAndSettle;
import static io.chute.support.OfficeDocuments.aDocument;
import static io.chute.support.OfficeDocuments.aZipBombDisguisedAsDocx;
import static org.assertj.core.api.Assertions.assertThat;

import io.chute.config.ChuteProperties;
import io.chute.processing.LocalContext;
import io.chute.processing.Processor;
import io.chute.processing.pdf.PdfProcessor;
import io.chute.support.EmbeddedChuteIT;
import io.chute.support.Images;
import io.chute.support.TestClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Office documents through LibreOffice: a first-page preview and their text, or the original only without it. */
class OfficeFlowIT extends EmbeddedChuteIT {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"docx", "xlsx", "pptx", "odt"})
    void anOfficeDocumentGetsAFirstPagePreviewAndItsText(String format) {
        TestClient alice = newUser();
        String phrase = "Quarterly quokka census " + format;
        Path document = aDocument(dir, format, phrase);

        Map<String, Object> job = uploadAndSettle(
                alice, document, "report." + format, "application/octet-stream", Duration.ofSeconds(120));

        assertThat(job).as(job.toString()).containsEntry("status", "COMPLETED").containsEntry("type", "office");
        assertThat(metadata(job)).containsEntry("pageCount", 1);
        String text =
                new String(alice.fetch((String) output(job, "text").get("url")).body(), StandardCharsets.UTF_8);
        assertThat(text).contains(phrase);
        Map<String, Object> preview = output(job, "preview");
        assertThat(preview).containsEntry("contentType", "image/jpeg");
        assertThat(Images.size(alice.fetch((String) preview.get("url")).body()))
                .containsExactly((int) preview.get("width"), (int) preview.get("height"));
    }

    @Test
    void aZipBombDisguisedAsADocxIsRejectedBeforeLibreOfficeOpensIt() {
        TestClient mallory = newUser();
        Path bomb = aZipBombDisguisedAsDocx(dir, 300L * 1024 * 1024);

        Map<String, Object> job =
                uploadAndSettle(mallory, bomb, "invoice.docx", "application/octet-stream", Duration.ofSeconds(60));

        assertThat(job).containsEntry("status", "REJECTED").containsEntry("attempts", 1);
        assertThat((String) job.get("error")).contains("unpacks").contains("times its packed size");
        assertThat(outputs(job)).isEmpty();
    }

    @Test
    void withoutLibreOfficeADocumentCompletesWithTheOriginalOnlyAndSaysWhy() throws Exception {
        ChuteProperties properties = new Binder(new MapConfigurationPropertySource(Map.of(
                        "chute.processing.office.path",
                                dir.resolve("no-libreoffice-here").toString(),
                        "chute.data-dir", dir.toString())))
                .bindOrCreate("chute", ChuteProperties.class);
        OfficeProcessor processor = new OfficeProcessor(properties, new PdfProcessor(properties));
        Path document = aDocument(dir, "docx", "Nobody will render this");

        Processor.Step step =
                processor.process(LocalContext.of(document, "application/x-tika-ooxml", dir.resolve("out")));

        assertThat(step.outputs()).isEmpty();
        assertThat(step.metadata()).containsEntry("preview", "not made: LibreOffice is not installed on the worker");
        assertThat(processor.handles("application/vnd.oasis.opendocument.text")).isTrue();
    }
}
