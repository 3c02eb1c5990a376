package io.chute.processing.pdf;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The stream of one output: counts what is written and marks its own failures as
 * {@link Failed}, so that a storage error surfacing through PDFBox (which writes the text) is
 * told apart from PDFBox failing on the file. The first is transient and retried; the second
 * means the file is bad.
 */
public final class OutputTarget extends FilterOutputStream {

    /** Writing the output failed; the cause is the storage's own exception. */
    public static final class Failed extends IOException {
        Failed(IOException cause) {
            super(cause.getMessage(), cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    private long count;
    private boolean closed;

    public OutputTarget(OutputStream out) {
        super(out);
    }

    public long count() {
        return count;
    }

    @Override
    public void write(int b) throws IOException {
        try {
            out.write(b);
        } catch (IOException e) {
            throw new Failed(e);
        }
        count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        // why: FilterOutputStream would forward this one byte at a time
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw new Failed(e);
        }
        count += len;
    }

    @Override
    public void flush() throws IOException {
        try {
            out.flush();
        } catch (IOException e) {
            throw new Failed(e);
        }
    }

    /** Stores the output; closing again does nothing. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            throw new Failed(e);
        }
    }
}
