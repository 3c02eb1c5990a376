package io.chute.processing.video;

import io.chute.config.ChuteProperties;
import io.chute.processing.ChildProcess;
import io.chute.processing.UnprocessableFileException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoubleConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code ffprobe} and {@code ffmpeg} as child processes, each command killed after
 * {@code chute.processing.ffmpeg.timeout} or when the job's thread is interrupted (cancel).
 * Shared by the video and audio processors.
 */
public final class Ffmpeg {

    private static final Pattern OUT_TIME = Pattern.compile("out_time_us=(\\d+)");
    private static final int PROGRESS_TAIL = 4096;

    private final Path ffmpeg;
    private final Path ffprobe;
    private final Duration timeout;
    private final JsonMapper json = JsonMapper.builder().build();

    private Ffmpeg(Path ffmpeg, Path ffprobe, Duration timeout) {
        this.ffmpeg = ffmpeg;
        this.ffprobe = ffprobe;
        this.timeout = timeout;
    }

    /** Both tools from {@code config.path()} (or the {@code PATH}); empty when either is missing. */
    public static Optional<Ffmpeg> find(ChuteProperties.Ffmpeg config) {
        Optional<Path> ffmpeg = ChildProcess.findProgram("ffmpeg", config.path());
        Optional<Path> ffprobe = ChildProcess.findProgram("ffprobe", config.path());
        return ffmpeg.isPresent() && ffprobe.isPresent()
                ? Optional.of(new Ffmpeg(ffmpeg.get(), ffprobe.get(), config.timeout()))
                : Optional.empty();
    }

    /**
     * ffprobe's view of {@code file}: {@code streams} (codec, size, pixel format) and
     * {@code format} (container names, duration, brand).
     *
     * @throws UnprocessableFileException if ffprobe cannot read it
     */
    public JsonNode probe(Path file, Path work, String what) throws IOException {
        ChildProcess.Result probed = ChildProcess.run(
                List.of(
                        ffprobe.toString(),
                        "-v",
                        "error",
                        "-show_entries",
                        "stream=codec_type,codec_name,width,height,pix_fmt,sample_rate,channels"
                                + ":format=duration,format_name:format_tags=major_brand",
                        "-of",
                        "json",
                        file.toAbsolutePath().toString()),
                Map.of(),
                work,
                timeout);
        if (!probed.succeeded()) {
            throw new UnprocessableFileException("not a readable " + what + ": " + probed.errorLine());
        }
        return json.readTree(probed.output());
    }

    /** The first stream of {@code type} ({@code video}, {@code audio}) in a probe, or a missing node. */
    public static JsonNode stream(JsonNode probe, String type) {
        for (JsonNode stream : probe.path("streams")) {
            if (type.equals(stream.path("codec_type").asString(""))) {
                return stream;
            }
        }
        return probe.path("streams").path(Integer.MAX_VALUE);
    }

    /** The duration in seconds, or empty when the container does not say (live streams, broken files). */
    public static Optional<Double> duration(JsonNode probe) {
        try {
            return Optional.of(
                    Double.parseDouble(probe.path("format").path("duration").asString("")));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Runs ffmpeg with {@code arguments} (after {@code -nostdin -v error}) in {@code work}. */
    public ChildProcess.Result run(List<String> arguments, Path work) throws IOException {
        return ChildProcess.run(command(arguments), Map.of(), work, timeout);
    }

    /**
     * As {@link #run}, reporting the fraction of {@code durationSeconds} written so far to
     * {@code progress} about every half second (from ffmpeg's {@code -progress} file).
     */
    public ChildProcess.Result runWithProgress(
            List<String> arguments, Path work, double durationSeconds, DoubleConsumer progress) throws IOException {
        Path report = work.resolve("progress.txt");
        List<String> withReport = new ArrayList<>(List.of("-progress", report.toString()));
        withReport.addAll(arguments);
        return ChildProcess.run(command(withReport), Map.of(), work, timeout, () -> {
            long micros = lastOutTime(report);
            if (micros > 0 && durationSeconds > 0) {
                progress.accept(Math.min(1.0, micros / 1e6 / durationSeconds));
            }
        });
    }

    private List<String> command(List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(ffmpeg.toString(), "-nostdin", "-v", "error"));
        command.addAll(arguments);
        return command;
    }

    /** The last {@code out_time_us} in ffmpeg's progress file, read from its tail only. */
    private static long lastOutTime(Path report) {
        try (RandomAccessFile file = new RandomAccessFile(report.toFile(), "r")) {
            long length = file.length();
            int tail = (int) Math.min(length, PROGRESS_TAIL);
            byte[] bytes = new byte[tail];
            file.seek(length - tail);
            file.readFully(bytes);
            Matcher matcher = OUT_TIME.matcher(new String(bytes, StandardCharsets.US_ASCII));
            long last = -1;
            while (matcher.find()) {
                last = Long.parseLong(matcher.group(1));
            }
            return last;
        } catch (IOException | NumberFormatException e) {
            // why: the file appears only once ffmpeg starts writing; no report yet is not an error
            return -1;
        }
    }

    static boolean exists(Path file) throws IOException {
        return Files.isRegularFile(file) && Files.size(file) > 0;
    }
}
