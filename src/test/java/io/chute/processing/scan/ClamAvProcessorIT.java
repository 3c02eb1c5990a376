package io.chute.processing.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chute.config.ChuteProperties.Clamav.Oversize;
import io.chute.job.Job;
import io.chute.job.JobId;
import io.chute.job.JobStatus;
import io.chute.processing.Processor;
import io.chute.processing.UnprocessableFileException;
import io.chute.support.ClamdServer;
import io.chute.support.Eicar;
import io.chute.support.Images;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scanning step's verdicts and policies, against a real clamd that refuses streams above 1 MiB. */
class ClamAvProcessorIT {

    static ClamdServer clamd;

    @TempDir
    Path dir;

    @BeforeAll
    static void startClamd() {
        clamd = ClamdServer.start("1M");
    }

    @AfterAll
    static void stopClamd() {
        clamd.close();
    }

    @Test
    void runsFirstInEveryPipeline() {
        ClamAvProcessor scanner = new ClamAvProcessor(clamd.client(), Oversize.REFUSE);

        assertThat(scanner.jobType()).isEqualTo(Processor.ANY_JOB_TYPE);
        assertThat(scanner.order()).isZero();
        assertThat(scanner.handles("image/jpeg")).isTrue();
        assertThat(scanner.handles("application/pdf")).isTrue();
    }

    @Test
    void aCleanFileIsMarkedClean() throws Exception {
        FakeContext context = new FakeContext(Images.jpeg(dir, 64, 48));

        Processor.Step step = new ClamAvProcessor(clamd.client(), Oversize.REFUSE).process(context);

        assertThat(step.outputs()).isEmpty();
        assertThat(step.metadata()).isEqualTo(Map.of("scan", Map.of("engine", "clamav", "result", "clean")));
        assertThat(context.quarantined).isFalse();
    }

    @Test
    void anInfectedFileIsQuarantinedAndRejectedWithItsSignature() {
        FakeContext context = new FakeContext(Eicar.appendedTo(Images.jpeg(dir, 64, 48)));

        assertThatThrownBy(() -> new ClamAvProcessor(clamd.client(), Oversize.REFUSE).process(context))
                .isInstanceOf(UnprocessableFileException.class)
                .hasMessage("infected: " + ClamdServer.SIGNATURE + ".UNOFFICIAL");
        assertThat(context.quarantined).isTrue();
    }

    @Test
    void aFileTooLargeToScanIsRefusedByDefault() throws IOException {
        FakeContext context = new FakeContext(largeFile());

        assertThatThrownBy(() -> new ClamAvProcessor(clamd.client(), Oversize.REFUSE).process(context))
                .isInstanceOf(UnprocessableFileException.class)
                .hasMessageStartingWith("too large to scan");
        assertThat(context.quarantined).isFalse();
    }

    @Test
    void aFileTooLargeToScanPassesMarkedUnscannedWhenSoConfigured() throws Exception {
        FakeContext context = new FakeContext(largeFile());

        Processor.Step step = new ClamAvProcessor(clamd.client(), Oversize.MARK_UNSCANNED).process(context);

        assertThat(step.metadata())
                .isEqualTo(Map.of("scan", Map.of("engine", "clamav", "result", "unscanned: too large")));
    }

    @Test
    void anUnreachableClamdIsATransientFailureNotAVerdict() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        ClamAvClient nobody =
                new ClamAvClient("127.0.0.1", closedPort, Duration.ofSeconds(2), Duration.ofSeconds(5), 65536);
        FakeContext context = new FakeContext(Eicar.appendedTo(Images.jpeg(dir, 64, 48)));

        assertThatThrownBy(() -> new ClamAvProcessor(nobody, Oversize.MARK_UNSCANNED).process(context))
                .isInstanceOf(ClamAvException.class)
                .isNotInstanceOf(UnprocessableFileException.class);
        assertThat(context.quarantined).isFalse();
    }

    /** 2 MiB: twice what this clamd takes. */
    private Path largeFile() throws IOException {
        Path file = dir.resolve("large.bin");
        try (OutputStream out = Files.newOutputStream(file);
                InputStream in = new ClamAvClientIT.Filler(2L * 1024 * 1024)) {
            in.transferTo(out);
        }
        return file;
    }

    private static Job aJob(Path file) {
        Instant now = Instant.now();
        return new Job(
                new JobId(UUID.randomUUID()),
                UUID.randomUUID(),
                UUID.randomUUID(),
                null,
                "image",
                JobStatus.PROCESSING,
                0,
                file.getFileName().toString(),
                null,
                "image/jpeg",
                "uploads/test/" + file.getFileName(),
                Map.of(),
                Map.of(),
                0,
                1,
                5,
                now,
                null,
                null,
                "test-worker",
                1,
                now,
                now,
                null,
                null,
                null);
    }

    /** The pipeline's side of a step: the file, and whether the step asked for quarantine. */
    private static final class FakeContext implements Processor.Context {
        private final Path file;
        private final Job job;
        boolean quarantined;

        FakeContext(Path file) {
            this.file = file;
            this.job = aJob(file);
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
            return job.detectedType();
        }

        @Override
        public OutputStream create(String name, String contentType) {
            throw new UnsupportedOperationException("a scanner writes no outputs");
        }

        @Override
        public String outputKey(String name) {
            return "processed/" + job.id() + "/" + name;
        }

        @Override
        public void quarantine() {
            quarantined = true;
        }

        @Override
        public void progress(int percent) {
            // a scan reports no progress of its own
        }
    }
}
