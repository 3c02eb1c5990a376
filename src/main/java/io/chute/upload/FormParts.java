package io.chute.upload;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.Objects;
import org.apache.commons.fileupload2.core.FileItemHeaders;
import org.apache.commons.fileupload2.core.FileUploadException;
import org.apache.commons.fileupload2.jakarta.servlet6.JakartaServletFileUpload;

/**
 * The parts of a {@code multipart/form-data} body (RFC 7578), one after the other, each body a stream that ends at
 * the next delimiter: nothing is buffered beyond one fixed buffer, whatever the size of a part. Part headers are
 * parsed by commons-fileupload2; only the framing is done here.
 *
 * <p>Why not commons-fileupload2's {@code MultipartInput} for the framing: it looks for the delimiter one byte at a
 * time (a Knuth-Morris-Pratt loop over every byte of the file, in a 4 KiB buffer that {@link
 * JakartaServletFileUpload} gives no way to enlarge), which took two thirds of the request thread's CPU when
 * streaming a large file. This reader searches with Boyer-Moore-Horspool, which on file data skips about the length
 * of the delimiter at each step, so it reads a few bytes in a hundred; the bytes are then copied once, in blocks.
 * Not thread-safe: one reader per request.
 */
final class FormParts {

    /** What commons-fileupload2 allows for the headers of one part (its {@code DEFAULT_PART_HEADER_SIZE_MAX}). */
    static final int HEADERS_MAX = 10 * 1024;

    private static final byte[] HEADERS_END = {'\r', '\n', '\r', '\n'};

    private final InputStream in;
    private final JakartaServletFileUpload<?, ?> headerParser;
    private final Charset headerCharset;
    private final int partsMax;
    /** {@code CRLF "--" boundary}: what ends every part. */
    private final byte[] delimiter;

    private final int[] shift = new int[256];
    private final byte[] buffer;
    /** The unread bytes are {@code buffer[start, end)}. */
    private int start;

    private int end;
    private boolean eof;
    private int parts;
    private Body current;
    private boolean finished;

    /**
     * @param boundary the boundary of the {@code Content-Type}, as {@link JakartaServletFileUpload#getBoundary} gives it
     * @param headerCharset how part headers (file names) are decoded
     * @param partsMax more parts than this is a malformed body
     * @param bufferSize the one buffer, at least twice the delimiter and {@link #HEADERS_MAX}
     */
    FormParts(
            InputStream in,
            byte[] boundary,
            JakartaServletFileUpload<?, ?> headerParser,
            Charset headerCharset,
            int partsMax,
            int bufferSize) {
        this.in = in;
        this.headerParser = headerParser;
        this.headerCharset = headerCharset;
        this.partsMax = partsMax;
        this.delimiter = new byte[boundary.length + 4];
        delimiter[0] = '\r';
        delimiter[1] = '\n';
        delimiter[2] = '-';
        delimiter[3] = '-';
        System.arraycopy(boundary, 0, delimiter, 4, boundary.length);
        if (boundary.length == 0
                || boundary.length > 70
                || bufferSize < Math.max(HEADERS_MAX + 8, 4 * delimiter.length)) {
            throw new IllegalArgumentException("Bad boundary or buffer size");
        }
        Arrays.fill(shift, delimiter.length);
        for (int i = 0; i < delimiter.length - 1; i++) {
            shift[delimiter[i] & 0xff] = delimiter.length - 1 - i;
        }
        this.buffer = new byte[bufferSize];
        // why: a body may open with the boundary at once; a CRLF put before it makes that the same delimiter as the
        // ones between parts, and whatever comes before the first delimiter is the preamble, skipped like a part
        buffer[0] = '\r';
        buffer[1] = '\n';
        end = 2;
    }

    /** One part: its parsed headers and its body, which ends where the part does. */
    record Part(FileItemHeaders headers, InputStream body) {}

    /**
     * The next part; the body of the one before is skipped if it was not read to its end.
     *
     * @return null after the last part
     * @throws FileUploadException when the body is not multipart as it declared (cut short, too many parts, headers
     *     too long)
     */
    Part next() throws IOException {
        if (finished) {
            return null;
        }
        // the preamble, or the rest of the part before
        (current == null ? new Body() : current).transferTo(OutputStream.nullOutputStream());
        current = null;
        require(2);
        if (buffer[start] == '-' && buffer[start + 1] == '-') {
            finished = true;
            return null;
        }
        skipTransportPadding();
        if (++parts > partsMax) {
            throw new FileUploadException("More than " + partsMax + " parts");
        }
        String headers = readHeaders();
        current = new Body();
        return new Part(headerParser.getParsedHeaders(headers), current);
    }

    /** After a delimiter: optional spaces and tabs (RFC 2046 transport padding), then CRLF. */
    private void skipTransportPadding() throws IOException {
        while (true) {
            require(1);
            byte b = buffer[start];
            if (b != ' ' && b != '\t') {
                break;
            }
            start++;
        }
        require(2);
        if (buffer[start] != '\r' || buffer[start + 1] != '\n') {
            throw new FileUploadException("A part delimiter is not followed by CRLF");
        }
        start += 2;
    }

    /** The header block of a part, up to and with the empty line that ends it, as {@code getParsedHeaders} takes it. */
    private String readHeaders() throws IOException {
        require(2);
        if (buffer[start] == '\r' && buffer[start + 1] == '\n') {
            start += 2;
            return "\r\n";
        }
        int searched = start;
        while (true) {
            int at = indexOf(HEADERS_END, searched, end);
            if (at >= 0) {
                String headers = new String(buffer, start, at + HEADERS_END.length - start, headerCharset);
                start = at + HEADERS_END.length;
                return headers;
            }
            if (end - start > HEADERS_MAX) {
                throw new FileUploadException("The headers of a part are longer than " + HEADERS_MAX + " bytes");
            }
            searched = Math.max(start, end - HEADERS_END.length + 1);
            int offset = start;
            if (!fill()) {
                throw new FileUploadException("The body ends in the headers of a part");
            }
            searched -= offset - start;
        }
    }

    /** Makes at least {@code n} unread bytes available. @throws FileUploadException when the body ends first */
    private void require(int n) throws IOException {
        while (end - start < n) {
            if (!fill()) {
                throw new FileUploadException("The body ends before its closing delimiter");
            }
        }
    }

    /**
     * Moves the unread bytes to the front of the buffer and reads more after them.
     *
     * @return false at the end of the body
     */
    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        if (start > 0) {
            System.arraycopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        int n = in.read(buffer, end, buffer.length - end);
        if (n == -1) {
            eof = true;
            return false;
        }
        end += n;
        return true;
    }

    /** Boyer-Moore-Horspool for the delimiter in {@code buffer[from, to)}; -1, or where it starts. */
    private int findDelimiter(int from, int to) {
        int last = delimiter.length - 1;
        int i = from;
        while (i + last < to) {
            int j = last;
            while (j >= 0 && buffer[i + j] == delimiter[j]) {
                j--;
            }
            if (j < 0) {
                return i;
            }
            i += shift[buffer[i + last] & 0xff];
        }
        // why: no delimiter starts before i (Horspool only skips positions that cannot start one)
        safe = Math.min(i, to);
        return -1;
    }

    /** Set by a failed {@link #findDelimiter}: the bytes before it are part data whatever comes next. */
    private int safe;

    private int indexOf(byte[] pattern, int from, int to) {
        outer:
        for (int i = from; i + pattern.length <= to; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (buffer[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The body of one part: the bytes up to the next delimiter, which it consumes at its end. */
    private final class Body extends InputStream {

        /** Unread bytes {@code buffer[start, dataEnd)} are known to be part data. */
        private int dataEnd = -1;

        private boolean atDelimiter;
        private boolean done;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (done) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            while (dataEnd <= start) {
                if (atDelimiter) {
                    start += delimiter.length;
                    done = true;
                    return -1;
                }
                scan();
            }
            int n = Math.min(len, dataEnd - start);
            System.arraycopy(buffer, start, b, off, n);
            start += n;
            return n;
        }

        @Override
        public int available() {
            return done ? 0 : Math.max(0, dataEnd - start);
        }

        /** Finds how far the unread bytes are part data, reading more when none of them is known to be. */
        private void scan() throws IOException {
            while (true) {
                int at = findDelimiter(start, end);
                if (at >= 0) {
                    dataEnd = at;
                    atDelimiter = true;
                    return;
                }
                if (safe > start) {
                    dataEnd = safe;
                    return;
                }
                if (!fill()) {
                    throw new FileUploadException("The body ends before its closing delimiter");
                }
            }
        }
    }
}
