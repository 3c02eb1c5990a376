package io.chute.processing.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeout;

import io.chute.processing.scan.ClamAvClient.Verdict;
import io.chute.support.ClamdServer;
import io.chute.support.Eicar;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.ClosedByInterruptException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The INSTREAM client against a real clamd that refuses streams above 1 MiB. */
class ClamAvClientIT {

    private static final int CHUNK = 4096;

    static ClamdServer clamd;

    @BeforeAll
    static void startClamd() {
        clamd = ClamdServer.start("1M");
    }

    @AfterAll
    static void stopClamd() {
        clamd.close();
    }

    @Test
    void aCleanStreamIsClean() throws IOException {
        Verdict verdict = clamd.client().scan(new ByteArrayInputStream("just a note".getBytes(StandardCharsets.UTF_8)));

        assertThat(verdict).isEqualTo(new Verdict.Clean());
    }

    @Test
    void anEmptyStreamIsClean() throws IOException {
        assertThat(clamd.client().scan(InputStream.nullInputStream())).isEqualTo(new Verdict.Clean());
    }

    @Test
    void theEicarTestFileIsFoundWithItsSignatureName() throws IOException {
        Verdict verdict = clamd.client().scan(new ByteArrayInputStream(Eicar.bytes()));

        assertThat(verdict).isEqualTo(new Verdict.Infected(ClamdServer.SIGNATURE + ".UNOFFICIAL"));
    }

    @Test
    void eicarInTheMiddleOfALargerStreamIsFoundAcrossChunkBoundaries() throws IOException {
        Filler before = new Filler(100L * CHUNK - 30); // the signature straddles the 100th chunk boundary
        InputStream stream = concat(before, new ByteArrayInputStream(Eicar.bytes()), new Filler(300_000));

        Verdict verdict = clamd.client(Duration.ofSeconds(30), CHUNK).scan(stream);

        assertThat(verdict).isInstanceOf(Verdict.Infected.class);
        assertThat(((Verdict.Infected) verdict).signature()).startsWith(ClamdServer.SIGNATURE);
    }

    @Test
    void aStreamAboveStreamMaxLengthIsTooLarge() throws IOException {
        Verdict verdict = clamd.client().scan(new Filler(2L * 1024 * 1024));

        assertThat(verdict).isEqualTo(new Verdict.TooLarge("StreamMaxLength"));
    }

    @Test
    void aHugeStreamStopsBeingSentOnceClamdRefusesIt() throws IOException {
        Filler huge = new Filler(1024L * 1024 * 1024);

        Verdict verdict = clamd.client().scan(huge);

        assertThat(verdict).isEqualTo(new Verdict.TooLarge("StreamMaxLength"));
        // clamd closes after 1 MiB; what was read beyond it only filled socket buffers
        assertThat(huge.consumed()).isLessThan(64L * 1024 * 1024);
    }

    @Test
    void pingAnswersPongAndVersionNamesTheEngine() throws ClamAvException {
        clamd.client().ping();

        assertThat(clamd.client().version()).startsWith("ClamAV ");
    }

    @Test
    void anUnreachableClamdFailsWithinTheConnectTimeout() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        ClamAvClient nobody =
                new ClamAvClient("127.0.0.1", closedPort, Duration.ofSeconds(2), Duration.ofSeconds(30), CHUNK);

        assertTimeout(Duration.ofSeconds(2), () -> {
            assertThatThrownBy(() -> nobody.scan(new ByteArrayInputStream(Eicar.bytes())))
                    .isInstanceOf(ClamAvException.class)
                    .hasMessageContaining("unreachable");
            assertThatThrownBy(nobody::ping).isInstanceOf(ClamAvException.class);
        });
    }

    @Test
    void aClamdThatDoesNotAnswerTimesOutAfterTheReadTimeout() {
        ClamAvClient impatient = clamd.client(Duration.ofMillis(500), CHUNK);
        clamd.freeze();
        try {
            assertTimeout(Duration.ofSeconds(10), () -> {
                assertThatThrownBy(() -> impatient.scan(new ByteArrayInputStream(Eicar.bytes())))
                        .isInstanceOf(ClamAvException.class)
                        .hasMessageContaining("did not answer within 500 ms");
                assertThatThrownBy(impatient::ping).isInstanceOf(ClamAvException.class);
            });
        } finally {
            clamd.thaw();
        }
    }

    @Test
    void anInterruptEndsAScanThatAHungClamdStoppedReading() {
        Filler huge = new Filler(1024L * 1024 * 1024);
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        clamd.freeze();
        try {
            Thread scanner = Thread.ofPlatform().start(() -> {
                try {
                    clamd.client(Duration.ofMinutes(10), CHUNK).scan(huge);
                    failure.complete(null);
                } catch (Throwable e) {
                    failure.complete(e);
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> huge.consumed() > CHUNK);

            scanner.interrupt();

            Throwable thrown =
                    failure.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
            assertThat(thrown).isInstanceOf(ClamAvException.class).hasCauseInstanceOf(ClosedByInterruptException.class);
        } finally {
            clamd.thaw();
        }
    }

    @Test
    void clamdStoppedMidStreamIsAFailureNotAVerdict() {
        try (ClamdServer doomed = ClamdServer.start("100M")) {
            AtomicLong read = new AtomicLong();
            InputStream stream = new Filler(64L * 1024 * 1024) {
                @Override
                public int read(byte[] b, int off, int len) {
                    if (read.addAndGet(len) > 256 * 1024) {
                        doomed.stop();
                    }
                    return super.read(b, off, len);
                }
            };

            assertThatThrownBy(() -> doomed.client().scan(stream)).isInstanceOf(ClamAvException.class);
        }
    }

    private static InputStream concat(InputStream... parts) {
        return new SequenceInputStream(java.util.Collections.enumeration(List.of(parts)));
    }

    /** {@code length} bytes of a repeating text, generated as read: large streams without large arrays. */
    static class Filler extends InputStream {
        private static final byte[] PATTERN = "a harmless line of text\n".getBytes(StandardCharsets.US_ASCII);
        private final long length;
        private long position;

        Filler(long length) {
            this.length = length;
        }

        long consumed() {
            return position;
        }

        @Override
        public int read() {
            return position < length ? PATTERN[(int) (position++ % PATTERN.length)] : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (position >= length) {
                return -1;
            }
            int n = (int) Math.min(len, length - position);
            for (int i = 0; i < n; i++) {
                b[off + i] = PATTERN[(int) (position++ % PATTERN.length)];
            }
            return n;
        }
    }
}
