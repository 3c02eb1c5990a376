package io.chute.processing.pdf;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.Writer;
import java.util.function.IntConsumer;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.text.PDFTextStripper;

/**
 * Extracts a document's text in one pass over its pages, each page's text written to the writer
 * as soon as the page is done, so only one page's text is ever held in memory.
 *
 * <p>One pass rather than one {@code writeText} call per page: every call walks the whole page
 * tree, which would make a long document quadratic. The pass stops at {@code lastPage}, and before
 * each page it checks the thread's interrupt flag, so a cancelled or timed-out job stops between
 * pages with an {@link InterruptedIOException}.
 */
final class PageTextStripper extends PDFTextStripper {

    /** Thrown after {@code lastPage}, to spare walking the rest of a long page tree for nothing. */
    private static final class LastPageDone extends IOException {
        LastPageDone() {
            super("last page done");
        }
    }

    private final int lastPage;
    private final IntConsumer pageDone;
    private int currentPage;

    /**
     * @param lastPage the last page (1-based) whose text is extracted
     * @param pageDone told the number of each page whose text has been written
     */
    PageTextStripper(int lastPage, IntConsumer pageDone) {
        this.lastPage = lastPage;
        this.pageDone = pageDone;
        setStartPage(1);
        setEndPage(lastPage);
        // why: the same text whatever the server's platform
        setLineSeparator("\n");
    }

    /** How far an extraction went: pages read (blank ones included) and whether pages were left out. */
    record Coverage(int pagesRead, boolean pagesLeft) {}

    /**
     * Writes the text of pages 1 to {@code lastPage}.
     *
     * @throws InterruptedIOException if the thread was interrupted; the flag is cleared
     * @throws IOException            if PDFBox cannot read a page, or the writer fails
     */
    Coverage extract(PDDocument document, Writer writer) throws IOException {
        boolean stoppedAtLastPage = false;
        try {
            writeText(document, writer);
        } catch (LastPageDone done) {
            stoppedAtLastPage = true;
        }
        // why: an interrupt that lands during a read closes PDFBox's file channel, and PDFBox may
        // log the failed read and skip the remaining pages, so ending normally proves nothing
        if (Thread.interrupted()) {
            throw new InterruptedIOException("interrupted after page " + currentPage);
        }
        writer.flush();
        if (stoppedAtLastPage) {
            return new Coverage(lastPage, document.getNumberOfPages() > lastPage);
        }
        // why: a walk to the end counts the pages really there, whatever the page tree's /Count claims
        int walked = getCurrentPageNo() - 1;
        return new Coverage(Math.min(walked, lastPage), walked > lastPage);
    }

    /** The page being extracted or last extracted, 1-based; pages without content are never "current". */
    int currentPage() {
        return currentPage;
    }

    @Override
    protected void startPage(PDPage page) throws IOException {
        if (Thread.interrupted()) {
            throw new InterruptedIOException("interrupted before page " + getCurrentPageNo());
        }
        currentPage = getCurrentPageNo();
    }

    @Override
    protected void endPage(PDPage page) throws IOException {
        int done = getCurrentPageNo();
        pageDone.accept(done);
        if (done >= lastPage) {
            throw new LastPageDone();
        }
    }
}
