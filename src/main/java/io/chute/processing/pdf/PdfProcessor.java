package io.chute.processing.pdf;

import io.chute.config.ChuteProperties;
import io.chute.job.Output;
import io.chute.processing.Processor;
import io.chute.processing.UnprocessableFileException;
import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.io.IOUtils;
import org.apache.pdfbox.io.RandomAccessReadBufferedFile;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * PDFs ({@code pdf} jobs) → {@code text}, the extracted text as UTF-8, and {@code preview}, the
 * first page as a JPEG at most {@code previewSize} pixels on its long side. Metadata:
 * {@code pageCount}, {@code pagesProcessed} (pages whose text was read), {@code textTruncated}
 * (the text stops before the document's end, at the byte or the page limit) and
 * {@code title}/{@code author} when the document names them.
 *
 * <p>Memory stays bounded whatever the file: the document is read from the local file through a
 * buffered window, PDFBox's scratch buffers live in temp files, the text is written page by page
 * as it is extracted, and the preview's pixel size is fixed before it is drawn.
 *
 * <p>A password-protected, empty, corrupt or truncated file throws
 * {@link UnprocessableFileException} (the job is REJECTED); a failure writing an output is
 * thrown as is (retried). Between pages the thread's interrupt flag is checked, so a job the
 * engine cancels or times out stops with an {@link InterruptedException}.
 */
@Component
public class PdfProcessor implements Processor {

    static final String TEXT = "text";
    static final String PREVIEW = "preview";
    static final String TEXT_CONTENT_TYPE = "text/plain; charset=utf-8";
    private static final int MAX_INFO_LENGTH = 500;
    private static final int MAX_REASON_LENGTH = 300;
    private static final int PREVIEW_PROGRESS = 5;

    private final ChuteProperties.Pdf limits;
    private final FirstPagePreview preview;

    @Autowired
    public PdfProcessor(ChuteProperties properties) {
        this(properties.processing().pdf());
    }

    /** A processor with the given limits. */
    public PdfProcessor(ChuteProperties.Pdf limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.preview = new FirstPagePreview(limits.previewSize());
    }

    @Override
    public String jobType() {
        return "pdf";
    }

    @Override
    public boolean handles(String mediaType) {
        return "application/pdf".equals(mediaType);
    }

    @Override
    public String name() {
        return "pdf";
    }

    @Override
    public Step process(Context context) throws Exception {
        Path file = context.file();
        // why: Files.size first, so a missing file is an IOException (retryable), not "corrupt"
        if (Files.size(file) == 0) {
            throw new UnprocessableFileException("file is empty");
        }
        try (RandomAccessReadBufferedFile source = new RandomAccessReadBufferedFile(file);
                PDDocument document = load(source)) {
            int pageCount = pdf("read", document::getNumberOfPages);
            if (pageCount < 1) {
                throw new UnprocessableFileException("PDF has no pages");
            }
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("pageCount", pageCount);
            describe(document, metadata);

            Map<String, Output> outputs = new LinkedHashMap<>();
            outputs.put(PREVIEW, writePreview(document, context));
            context.progress(PREVIEW_PROGRESS);
            stopIfInterrupted();

            TextResult text = writeText(document, pageCount, context);
            outputs.put(TEXT, text.output());
            metadata.put("pagesProcessed", text.pagesProcessed());
            metadata.put("textTruncated", text.truncated());
            return new Step(outputs, metadata);
        }
    }

    private static PDDocument load(RandomAccessReadBufferedFile source) throws IOException, InterruptedException {
        // why: PDFBox's scratch buffers in temp files, never heap that grows with the file
        return pdf("parse", () -> Loader.loadPDF(source, IOUtils.createTempFileOnlyStreamCache()));
    }

    /** Title and author, when present: cleaned, trimmed and length-capped, as they end up in the job's JSON. */
    private static void describe(PDDocument document, Map<String, Object> metadata) {
        try {
            PDDocumentInformation info = document.getDocumentInformation();
            putIfPresent(metadata, "title", SafeText.clean(info.getTitle(), MAX_INFO_LENGTH));
            putIfPresent(metadata, "author", SafeText.clean(info.getAuthor(), MAX_INFO_LENGTH));
        } catch (RuntimeException e) {
            // why: a malformed info dictionary costs the title, not the document
        }
    }

    private static void putIfPresent(Map<String, Object> metadata, String key, String value) {
        if (value != null) {
            metadata.put(key, value);
        }
    }

    private Output writePreview(PDDocument document, Context context) throws IOException, InterruptedException {
        BufferedImage image = pdf("render the first page of", () -> preview.render(document));
        try (OutputTarget target = new OutputTarget(context.create(PREVIEW, FirstPagePreview.CONTENT_TYPE))) {
            FirstPagePreview.writeJpeg(image, target);
            // why: closing stores the output, and only then is its size final
            target.close();
            return new Output(
                    context.outputKey(PREVIEW),
                    target.count(),
                    FirstPagePreview.CONTENT_TYPE,
                    image.getWidth(),
                    image.getHeight());
        } catch (OutputTarget.Failed e) {
            throw e.getCause();
        }
    }

    private record TextResult(Output output, int pagesProcessed, boolean truncated) {}

    private TextResult writeText(PDDocument document, int pageCount, Context context)
            throws IOException, InterruptedException {
        int lastPage = Math.min(pageCount, limits.maxPages());
        PageTextStripper stripper = new PageTextStripper(lastPage, new Progress(context, lastPage)::pageDone);
        try (OutputTarget target = new OutputTarget(context.create(TEXT, TEXT_CONTENT_TYPE))) {
            CappedUtf8Writer writer = new CappedUtf8Writer(
                    new BufferedOutputStream(target, 64 * 1024),
                    limits.maxText().toBytes());
            PageTextStripper.Coverage coverage;
            try {
                coverage = pdf("extract the text of", () -> stripper.extract(document, writer));
            } catch (CappedUtf8Writer.CapReached e) {
                coverage = new PageTextStripper.Coverage(stripper.currentPage(), true);
            }
            // why: closing flushes the encoder and the buffer, then stores the output
            writer.close();
            Output output = new Output(context.outputKey(TEXT), target.count(), TEXT_CONTENT_TYPE, null, null);
            return new TextResult(output, coverage.pagesRead(), coverage.pagesLeft());
        } catch (OutputTarget.Failed e) {
            throw e.getCause();
        }
    }

    /**
     * Reports the job's progress as pages are done, at most once per percent: each report is a
     * database write, and a long document has thousands of pages.
     */
    private static final class Progress {
        private final Context context;
        private final int pages;
        private int reported = PREVIEW_PROGRESS;

        Progress(Context context, int pages) {
            this.context = context;
            this.pages = pages;
        }

        void pageDone(int page) {
            int percent = PREVIEW_PROGRESS + (int) ((long) (99 - PREVIEW_PROGRESS) * Math.min(page, pages) / pages);
            if (percent > reported) {
                reported = percent;
                context.progress(percent);
            }
        }
    }

    @FunctionalInterface
    private interface PdfWork<T> {
        T run() throws IOException;
    }

    /**
     * Runs PDFBox work and sorts out what it throws: the cap, an output failure and an
     * interruption pass through; anything else PDFBox throws means the file is bad.
     */
    private static <T> T pdf(String action, PdfWork<T> work) throws IOException, InterruptedException {
        try {
            return work.run();
        } catch (CappedUtf8Writer.CapReached | OutputTarget.Failed e) {
            throw e;
        } catch (InvalidPasswordException e) {
            // why: without the user password there is nothing to read; only an owner password
            // (restricting printing or copying) opens with the empty one and is processed
            throw new UnprocessableFileException("encrypted PDF", e);
        } catch (IOException | RuntimeException e) {
            stopIfInterrupted(e);
            if (e instanceof UnprocessableFileException bad) {
                throw bad;
            }
            OutputTarget.Failed storage = causeOf(e, OutputTarget.Failed.class);
            if (storage != null) {
                throw storage;
            }
            throw new UnprocessableFileException("could not " + action + " the PDF: " + reason(e), e);
        } catch (StackOverflowError e) {
            // why: deeply nested or self-referencing structures recurse in PDFBox; the file is at fault
            throw new UnprocessableFileException("could not " + action + " the PDF: its structure nests too deeply", e);
        }
    }

    private static void stopIfInterrupted() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("PDF processing interrupted");
        }
    }

    /**
     * An interruption (the engine cancelling or timing out the job) can surface from PDFBox as an
     * I/O error: the file channel closes under the interrupt. It must not pass for a bad file.
     */
    private static void stopIfInterrupted(Exception e) throws InterruptedException {
        if (Thread.interrupted()
                || causeOf(e, InterruptedIOException.class) != null
                || causeOf(e, ClosedByInterruptException.class) != null) {
            InterruptedException interrupted = new InterruptedException("PDF processing interrupted");
            interrupted.initCause(e);
            throw interrupted;
        }
    }

    private static <E extends Throwable> E causeOf(Throwable e, Class<E> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String reason(Exception e) {
        String message = SafeText.clean(e.getMessage(), MAX_REASON_LENGTH);
        return message != null ? message : e.getClass().getSimpleName();
    }
}
