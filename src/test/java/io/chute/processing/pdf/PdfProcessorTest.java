package io.chute.processing.pdf;

import static io.chute.support.Pdfs.aPdf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.chute.config.ChuteProperties;
import io.chute.job.Job;
import io.chute.job.JobId;
import io.chute.job.JobStatus;
import io.chute.job.Output;
import io.chute.processing.Processor;
import io.chute.processing.UnprocessableFileException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

class PdfProcessorTest {

    private static final ChuteProperties.Pdf DEFAULTS = new ChuteProperties.Pdf(DataSize.ofMegabytes(50), 2000, 1200);

    @TempDir
    Path dir;

    private final PdfProcessor processor = new PdfProcessor(DEFAULTS);

    @AfterEach
    void clearInterruptFlag() {
        // why: a failing interruption test must not leave the flag set for the next test on this thread
        Thread.interrupted();
    }

    @Test
    void acceptsOnlyPdfsIntoPdfJobs() {
        assertThat(processor.jobType()).isEqualTo("pdf");
        assertThat(processor.handles("application/pdf")).isTrue();
        assertThat(processor.handles("image/jpeg")).isFalse();
        assertThat(processor.handles("application/octet-stream")).isFalse();
    }

    @Test
    void extractsTheTextOfEveryPageInOrder() throws Exception {
        Path pdf = aPdf().withPages("First page says alpha", "Second page says bravo", "Third page says charlie")
                .writeTo(dir);
        FileContext context = new FileContext(pdf);

        Processor.Step step = processor.process(context);

        String text = context.text(PdfProcessor.TEXT);
        assertThat(text)
                .containsSubsequence("First page says alpha", "Second page says bravo", "Third page says charlie");
        Output output = step.outputs().get("text");
        assertThat(output.key()).isEqualTo(context.outputKey("text"));
        assertThat(output.contentType()).isEqualTo("text/plain; charset=utf-8");
        assertThat(output.size()).isEqualTo(Files.size(context.output("text")));
        assertThat(output.width()).isNull();
        assertThat(context.contentTypes)
                .containsEntry("text", "text/plain; charset=utf-8")
                .containsEntry("preview", "image/jpeg");
        assertThat(step.metadata())
                .containsEntry("pageCount", 3)
                .containsEntry("pagesProcessed", 3)
                .containsEntry("textTruncated", false);
    }

    @Test
    void previewIsTheFirstPageAsAJpegOfThePagesAspectRatio() throws Exception {
        Path pdf = aPdf().withPages("one", "two").writeTo(dir); // A4: 595.28 x 841.89 pt
        FileContext context = new FileContext(pdf);

        Output preview = processor.process(context).outputs().get("preview");

        BufferedImage image = ImageIO.read(context.output("preview").toFile());
        assertThat(image).as("decodable JPEG").isNotNull();
        assertThat(image.getHeight()).isEqualTo(1200);
        assertThat((double) image.getWidth() / image.getHeight()).isCloseTo(595.28 / 841.89, within(0.005));
        assertThat(preview.contentType()).isEqualTo("image/jpeg");
        assertThat(preview.width()).isEqualTo(image.getWidth());
        assertThat(preview.height()).isEqualTo(image.getHeight());
        assertThat(preview.size()).isEqualTo(Files.size(context.output("preview")));
        assertThat(preview.key()).isEqualTo(context.outputKey("preview"));
    }

    @Test
    void aHugePageStillGivesAPreviewOfAtMost1200Pixels() throws Exception {
        Path pdf = aPdf().withPageSize(14400, 7200).writeTo(dir); // 200 x 100 inches, the largest PDF page

        Output preview = processor.process(new FileContext(pdf)).outputs().get("preview");

        assertThat(preview.width()).isEqualTo(1200);
        assertThat(preview.height()).isEqualTo(600);
    }

    @Test
    void aSmallPageIsNotBlownUpToThePreviewSize() throws Exception {
        Path pdf = aPdf().withPageSize(252, 144).writeTo(dir); // a business card

        Output preview = processor.process(new FileContext(pdf)).outputs().get("preview");

        assertThat(preview.width()).isEqualTo(504);
        assertThat(preview.height()).isEqualTo(288);
    }

    @Test
    void reportsTitleAndAuthorCleanedForStorage() throws Exception {
        Path pdf = aPdf().withTitle("  Annual\u0000 report\n2025  ")
                .withAuthor("A".repeat(2000))
                .writeTo(dir);

        Map<String, Object> metadata = processor.process(new FileContext(pdf)).metadata();

        assertThat(metadata).containsEntry("title", "Annual report 2025");
        assertThat((String) metadata.get("author")).hasSize(500);
    }

    @Test
    void leavesOutTitleAndAuthorWhenAbsent() throws Exception {
        Map<String, Object> metadata =
                processor.process(new FileContext(aPdf().writeTo(dir))).metadata();

        assertThat(metadata).doesNotContainKeys("title", "author");
    }

    @Test
    void stopsAtTheTextLimitAndSaysSo() throws Exception {
        List<List<String>> pages = IntStream.rangeClosed(1, 10)
                .mapToObj(p -> IntStream.rangeClosed(1, 10)
                        .mapToObj(l -> "page " + p + " line " + l + " of plain ascii text")
                        .toList())
                .toList();
        Path pdf = aPdf().withPageLines(pages).writeTo(dir);
        PdfProcessor capped = new PdfProcessor(new ChuteProperties.Pdf(DataSize.ofBytes(1000), 2000, 1200));
        FileContext context = new FileContext(pdf);

        Processor.Step step = capped.process(context);

        assertThat(Files.size(context.output("text"))).isEqualTo(1000);
        assertThat(step.outputs().get("text").size()).isEqualTo(1000);
        assertThat(context.text("text"))
                .startsWith("page 1 line 1 of plain ascii text")
                .doesNotContain("page 10 ");
        assertThat(step.metadata()).containsEntry("textTruncated", true).containsEntry("pageCount", 10);
        assertThat((int) step.metadata().get("pagesProcessed")).isBetween(2, 9);
    }

    @Test
    void extractsNoMoreThanThePageLimit() throws Exception {
        Path pdf = aPdf().withPages("p1 text", "p2 text", "p3 text", "p4 text", "p5 text")
                .writeTo(dir);
        PdfProcessor limited = new PdfProcessor(new ChuteProperties.Pdf(DataSize.ofMegabytes(1), 2, 1200));
        FileContext context = new FileContext(pdf);

        Processor.Step step = limited.process(context);

        assertThat(context.text("text")).contains("p1 text", "p2 text").doesNotContain("p3 text");
        assertThat(step.metadata())
                .containsEntry("pageCount", 5)
                .containsEntry("pagesProcessed", 2)
                .containsEntry("textTruncated", true);
    }

    @Test
    void countsThePagesReallyThereWhenThePageTreeOverstatesThem() throws Exception {
        Path pdf =
                aPdf().withPages("only", "three", "pages").claimingPageCount(40).writeTo(dir);
        FileContext context = new FileContext(pdf);

        Processor.Step step = processor.process(context);

        assertThat(context.text("text")).containsSubsequence("only", "three", "pages");
        assertThat(step.metadata()).containsEntry("pagesProcessed", 3).containsEntry("textTruncated", false);
    }

    @Test
    void reportsProgressAsPagesAreExtracted() throws Exception {
        Path pdf = aPdf().withPages(
                        IntStream.rangeClosed(1, 50).mapToObj(i -> "page " + i).toArray(String[]::new))
                .writeTo(dir);
        FileContext context = new FileContext(pdf);

        processor.process(context);

        assertThat(context.progress)
                .hasSizeGreaterThan(10)
                .isSorted()
                .allSatisfy(p -> assertThat(p).isBetween(1, 99));
        assertThat(context.progress.getLast()).isEqualTo(99);
    }

    @Test
    void stopsBetweenPagesWhenInterrupted() throws Exception {
        Path pdf = aPdf().withPages(
                        IntStream.rangeClosed(1, 20).mapToObj(i -> "page " + i).toArray(String[]::new))
                .writeTo(dir);
        FileContext context = new FileContext(pdf);
        // the engine interrupts a cancelled or timed-out job: here, right after the first page's text
        context.onProgress = percent -> {
            if (context.progress.size() == 2) {
                Thread.currentThread().interrupt();
            }
        };

        assertThatThrownBy(() -> processor.process(context)).isInstanceOf(InterruptedException.class);

        assertThat(context.progress).as("preview, then page 1, then nothing").hasSize(2);
    }

    @Test
    void refusesAPasswordProtectedPdf() {
        Path pdf =
                aPdf().withPages("secret").encryptedWithUserPassword("s3cret").writeTo(dir);

        assertThatThrownBy(() -> processor.process(new FileContext(pdf)))
                .isInstanceOf(UnprocessableFileException.class)
                .hasMessage("encrypted PDF");
    }

    @Test
    void processesAPdfRestrictedOnlyByAnOwnerPassword() throws Exception {
        Path pdf = aPdf().withPages("anyone can open this")
                .restrictedWithOwnerPassword("owner")
                .writeTo(dir);
        FileContext context = new FileContext(pdf);

        processor.process(context);

        assertThat(context.text("text")).contains("anyone can open this");
    }

    @Test
    void refusesRandomBytes() throws IOException {
        byte[] random = new byte[64 * 1024];
        new Random(42).nextBytes(random);
        Path file = Files.write(dir.resolve("random.pdf"), random);

        assertThatThrownBy(() -> processor.process(new FileContext(file)))
                .isInstanceOf(UnprocessableFileException.class)
                .hasMessageStartingWith("could not parse the PDF: ");
    }

    @Test
    void refusesATruncatedPdf() throws IOException {
        Path whole = aPdf().withPages("one", "two", "three").writeTo(dir);
        byte[] bytes = Files.readAllBytes(whole);
        Path truncated = Files.write(dir.resolve("truncated.pdf"), Arrays.copyOf(bytes, bytes.length / 3));

        assertThatThrownBy(() -> processor.process(new FileContext(truncated)))
                .isInstanceOf(UnprocessableFileException.class);
    }

    @Test
    void refusesAnEmptyFile() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.pdf"));

        assertThatThrownBy(() -> processor.process(new FileContext(empty)))
                .isInstanceOf(UnprocessableFileException.class)
                .hasMessage("file is empty");
    }

    @Test
    void aFailingOutputIsATransientFailureNotABadFile() {
        Path pdf = aPdf().withPages("fine").writeTo(dir);
        FileContext context = new FileContext(pdf);
        context.failingOutput = "text";

        assertThatThrownBy(() -> processor.process(context))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(UnprocessableFileException.class)
                .hasMessage("disk full");
    }

    @Test
    void aMissingFileIsATransientFailure() {
        assertThatThrownBy(() -> processor.process(new FileContext(dir.resolve("gone.pdf"))))
                .isInstanceOf(IOException.class);
    }

    /** Writes outputs as files in the test's directory and records what the processor reports. */
    private final class FileContext implements Processor.Context {
        private final Path file;
        private final Job job;
        final Map<String, String> contentTypes = new HashMap<>();
        final List<Integer> progress = new ArrayList<>();
        IntConsumer onProgress = p -> {};
        String failingOutput;

        FileContext(Path file) {
            this.file = file;
            this.job = aPdfJob();
        }

        Path output(String name) {
            return dir.resolve("out-" + name);
        }

        String text(String name) throws IOException {
            return Files.readString(output(name), StandardCharsets.UTF_8);
        }

        @Override
        public Job job() {
            return job;
        }

        @Override
        public Path file() {
            return file;
        }

        @Override
        public String mediaType() {
            return "application/pdf";
        }

        @Override
        public OutputStream create(String name, String contentType) throws IOException {
            contentTypes.put(name, contentType);
            OutputStream out = Files.newOutputStream(output(name));
            if (!name.equals(failingOutput)) {
                return out;
            }
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    throw new IOException("disk full");
                }

                @Override
                public void close() throws IOException {
                    out.close();
                }
            };
        }

        @Override
        public String outputKey(String name) {
            return "processed/" + job.id() + "/" + name;
        }

        @Override
        public void quarantine() {
            throw new AssertionError("a PDF is never quarantined by its processor");
        }

        @Override
        public void progress(int percent) {
            progress.add(percent);
            onProgress.accept(percent);
        }
    }

    private static Job aPdfJob() {
        Instant now = Instant.now();
        return new Job(
                new JobId(UUID.randomUUID()),
                UUID.randomUUID(),
                UUID.randomUUID(),
                null,
                "pdf",
                JobStatus.PROCESSING,
                0,
                "doc.pdf",
                1000L,
                "application/pdf",
                "uploads/doc.pdf",
                Map.of(),
                Map.of(),
                0,
                1,
                5,
                now,
                null,
                null,
                "worker",
                1,
                now,
                now,
                null,
                null,
                null);
    }
}
