package io.chute.processing.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.chute.config.ChuteProperties;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ffmpeg commands end: at the timeout or on cancel they are killed, and none is left behind. */
class FfmpegTest {

    /** Ten minutes of test pattern encoded to nowhere: far longer than any test waits. */
    private static final List<String> ENDLESS =
            List.of("-re", "-f", "lavfi", "-i", "testsrc=duration=600:size=320x240", "-f", "null", "-");

    @TempDir
    Path dir;

    @Test
    void aCommandPastTheTimeoutIsKilled() {
        Ffmpeg ffmpeg = Ffmpeg.find(new ChuteProperties.Ffmpeg(null, Duration.ofSeconds(2)))
                .orElseThrow();

        assertThatThrownBy(() -> ffmpeg.run(ENDLESS, dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("did not finish within PT2S and was killed");
        assertThat(ProcessHandle.current().descendants().filter(FfmpegTest::isFfmpeg))
                .isEmpty();
    }

    @Test
    void aCancelledTranscodeIsKilledAfterReportingProgress() {
        Ffmpeg ffmpeg = Ffmpeg.find(new ChuteProperties.Ffmpeg(null, Duration.ofMinutes(5)))
                .orElseThrow();
        List<Double> progress = new CopyOnWriteArrayList<>();
        AtomicReference<Thread> worker = new AtomicReference<>();
        CompletableFuture<Void> job = CompletableFuture.runAsync(() -> {
            worker.set(Thread.currentThread());
            try {
                ffmpeg.runWithProgress(ENDLESS, dir, 600, progress::add);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        await().atMost(Duration.ofSeconds(30)).until(() -> !progress.isEmpty());
        worker.get().interrupt();

        await().atMost(Duration.ofSeconds(30)).until(job::isDone);
        assertThat(job).isCompletedExceptionally();
        assertThatThrownBy(job::join).hasRootCauseInstanceOf(InterruptedIOException.class);
        assertThat(progress).allSatisfy(p -> assertThat(p).isBetween(0.0, 1.0));
        assertThat(ProcessHandle.current().descendants().filter(FfmpegTest::isFfmpeg))
                .isEmpty();
    }

    private static boolean isFfmpeg(ProcessHandle process) {
        return process.info().command().map(c -> c.endsWith("/ffmpeg")).orElse(false);
    }
}
