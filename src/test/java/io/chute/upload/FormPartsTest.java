package io.chute.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.fileupload2.core.FileUploadException;
import org.apache.commons.fileupload2.jakarta.servlet6.JakartaServletFileUpload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FormPartsTest {

    private static final String BOUNDARY = "chute-7f3a";
    private static final int BUFFER = FormParts.HEADERS_MAX + 64;

    @Test
    void readsEveryPartWithItsHeaders() throws IOException {
        String body = "preamble to skip\r\n--" + BOUNDARY + "\r\n"
                + "Content-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--" + BOUNDARY + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"фото.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\nJPEG bytes\r\n--" + BOUNDARY + "--\r\nepilogue";
        FormParts parts = parts(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));

        FormParts.Part note = parts.next();
        assertThat(new JakartaServletFileUpload<>().getFieldName(note.headers()))
                .isEqualTo("note");
        assertThat(new JakartaServletFileUpload<>().getFileName(note.headers())).isNull();
        assertThat(note.body().readAllBytes()).asString().isEqualTo("hello");
        FormParts.Part file = parts.next();
        assertThat(new JakartaServletFileUpload<>().getFileName(file.headers())).isEqualTo("фото.jpg");
        assertThat(file.headers().getHeader("Content-Type")).isEqualTo("image/jpeg");
        assertThat(file.body().readAllBytes()).asString().isEqualTo("JPEG bytes");
        assertThat(parts.next()).isNull();
    }

    @Test
    void skipsWhatWasNotReadOfAPart() throws IOException {
        String body = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n" + "x".repeat(100_000)
                + "\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nsecond\r\n--" + BOUNDARY
                + "--\r\n";
        FormParts parts = parts(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));

        assertThat(parts.next().body().read()).isEqualTo('x');
        assertThat(parts.next().body().readAllBytes()).asString().isEqualTo("second");
        assertThat(parts.next()).isNull();
    }

    /** Random bytes sprinkled with pieces of the delimiter, whichever way the reads cut them, come out unchanged. */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7, 64, 1000, 65536})
    void keepsFileBytesExactlyWhateverTheReadSizes(int maxRead) throws IOException {
        SplittableRandom random = new SplittableRandom(maxRead);
        byte[] delimiter = ("\r\n--" + BOUNDARY).getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        while (content.size() < 300_000) {
            if (random.nextInt(10) == 0) {
                // the delimiter with one byte changed, or all of it but its last byte
                byte[] near = delimiter.clone();
                near[random.nextInt(near.length)] ^= 1;
                if (random.nextBoolean()) {
                    content.write(near, 0, near.length);
                } else {
                    content.write(delimiter, 0, delimiter.length - 1);
                    content.write('Z');
                }
            } else {
                byte[] chunk = new byte[random.nextInt(1, 200)];
                random.nextBytes(chunk);
                content.write(chunk, 0, chunk.length);
            }
        }
        byte[] file = content.toByteArray();
        assertThat(contains(file, delimiter)).isFalse();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(
                ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.bin\"\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(file);
        body.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        FormParts parts = parts(new Trickle(body.toByteArray(), maxRead, random));

        InputStream in = parts.next().body();
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        byte[] buffer = new byte[random.nextInt(1, 9000)];
        for (int n; (n = in.read(buffer, 0, random.nextInt(1, buffer.length + 1))) != -1; ) {
            read.write(buffer, 0, n);
        }
        assertThat(read.toByteArray()).isEqualTo(file);
        assertThat(in.read()).isEqualTo(-1);
        assertThat(parts.next()).isNull();
    }

    @Test
    void refusesABodyCutShortInAPart() throws IOException {
        String body =
                "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n\r\nshort";
        FormParts parts = parts(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));

        InputStream in = parts.next().body();
        assertThatThrownBy(in::readAllBytes).isInstanceOf(FileUploadException.class);
    }

    @Test
    void refusesABodyCutShortInTheHeaders() {
        String body = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"";
        FormParts parts = parts(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));

        assertThatThrownBy(parts::next).isInstanceOf(FileUploadException.class);
    }

    @Test
    void refusesHeadersOverTheLimit() {
        String body = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"\r\nX-Long: "
                + "a".repeat(FormParts.HEADERS_MAX) + "\r\n\r\nx\r\n--" + BOUNDARY + "--\r\n";
        FormParts parts = parts(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));

        assertThatThrownBy(parts::next).isInstanceOf(FileUploadException.class).hasMessageContaining("headers");
    }

    @Test
    void refusesMoreThanTheAllowedParts() throws IOException {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 11; i++) {
            body.append("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"f" + i + "\"\r\n\r\nv\r\n");
        }
        body.append("--" + BOUNDARY + "--\r\n");
        FormParts parts = parts(new ByteArrayInputStream(body.toString().getBytes(StandardCharsets.UTF_8)));

        List<FormParts.Part> read = new ArrayList<>();
        assertThatThrownBy(() -> {
                    while (true) {
                        read.add(parts.next());
                    }
                })
                .isInstanceOf(FileUploadException.class)
                .hasMessageContaining("More than 10 parts");
        assertThat(read).hasSize(10);
    }

    @Test
    void findsNoPartInABodyWithoutTheBoundary() {
        FormParts parts = parts(new ByteArrayInputStream("just text".getBytes(StandardCharsets.UTF_8)));

        assertThatThrownBy(parts::next).isInstanceOf(FileUploadException.class);
    }

    private static FormParts parts(InputStream in) {
        return new FormParts(
                in,
                BOUNDARY.getBytes(StandardCharsets.US_ASCII),
                new JakartaServletFileUpload<>(),
                StandardCharsets.UTF_8,
                10,
                BUFFER);
    }

    private static boolean contains(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Gives at most {@code maxRead} bytes per read, a random number of them, as a socket may. */
    private static final class Trickle extends InputStream {
        private final ByteArrayInputStream in;
        private final int maxRead;
        private final SplittableRandom random;

        Trickle(byte[] bytes, int maxRead, SplittableRandom random) {
            this.in = new ByteArrayInputStream(bytes);
            this.maxRead = maxRead;
            this.random = random;
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return in.read(b, off, Math.min(len, random.nextInt(1, maxRead + 1)));
        }
    }
}
