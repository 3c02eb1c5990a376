package io.chute.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real video and audio files for tests, made by ffmpeg (as CI installs it) from its test sources. */
public final class Media {

    private Media() {}

    /** A clip as phones record it: HEVC video with AAC sound in a QuickTime file. */
    public static Path phoneVideo(Path dir, int width, int height) throws IOException, InterruptedException {
        Path out = dir.resolve("phone-" + width + "x" + height + ".mov");
        ffmpeg(
                dir,
                "-f",
                "lavfi",
                "-i",
                "testsrc=duration=1:size=" + width + "x" + height + ":rate=10",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440:duration=1",
                "-c:v",
                "libx265",
                "-x265-params",
                "log-level=error",
                "-tag:v",
                "hvc1",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                "-f",
                "mov",
                "-y",
                out.toString());
        return out;
    }

    /** ffprobe's {@code key=value} view of a file's streams. */
    public static String probe(Path file) throws IOException, InterruptedException {
        Process ffprobe = new ProcessBuilder(
                        "ffprobe",
                        "-v",
                        "error",
                        "-show_entries",
                        "stream=codec_name,pix_fmt",
                        "-of",
                        "default=noprint_wrappers=1",
                        file.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(ffprobe.getInputStream().readAllBytes());
        assertThat(ffprobe.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    /** Runs ffmpeg with {@code arguments} and fails the test if it does not succeed. */
    public static void ffmpeg(Path dir, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error"));
        command.addAll(List.of(arguments));
        Path log = Files.createTempFile(dir, "ffmpeg-", ".log");
        Process ffmpeg = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        assertThat(ffmpeg.waitFor(120, TimeUnit.SECONDS))
                .as("ffmpeg (apt-get install ffmpeg) made a test file")
                .isTrue();
        assertThat(ffmpeg.exitValue()).as(Files.readString(log)).isZero();
    }
}
