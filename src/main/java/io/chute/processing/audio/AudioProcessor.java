package io.chute.processing.audio;

import io.chute.config.ChuteProperties;
import io.chute.job.Output;
import io.chute.processing.ChildProcess;
import io.chute.processing.Processor;
import io.chute.processing.UnprocessableFileException;
import io.chute.processing.WorkDir;
import io.chute.processing.video.Ffmpeg;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Audio (MP3, Ogg, Opus, WAV, FLAC, AAC/M4A, WebM audio) → {@code waveform}, a PNG of the sound's
 * envelope ({@value #WIDTH}x{@value #HEIGHT}), and {@code durationSeconds}, {@code codec},
 * {@code sampleRate}, {@code channels} in the metadata, by ffprobe and ffmpeg's
 * {@code showwavespic} as child processes (timeout and cancel as for videos). Without them the
 * file completes with the original only, and its metadata says why.
 */
@Component
public class AudioProcessor implements Processor {

    private static final Logger log = LoggerFactory.getLogger(AudioProcessor.class);
    static final Set<String> TYPES = Set.of(
            "audio/mpeg",
            "audio/ogg",
            "audio/vorbis",
            "audio/opus",
            "audio/x-wav",
            "audio/wav",
            "audio/vnd.wave",
            "audio/flac",
            "audio/x-flac",
            "audio/mp4",
            "audio/x-m4a",
            "audio/aac",
            "audio/x-aac",
            "audio/webm",
            "audio/x-aiff");
    static final int WIDTH = 800;
    static final int HEIGHT = 160;

    private final Optional<Ffmpeg> ffmpeg;
    private final Path tempRoot;

    public AudioProcessor(ChuteProperties properties) {
        this.ffmpeg = Ffmpeg.find(properties.processing().ffmpeg());
        this.tempRoot = properties.dataDir().resolve("tmp");
        if (ffmpeg.isEmpty()) {
            log.info("ffmpeg/ffprobe not found: audio files are accepted and kept, without waveforms");
        }
    }

    @Override
    public String jobType() {
        return "audio";
    }

    @Override
    public boolean handles(String mediaType) {
        return TYPES.contains(mediaType);
    }

    @Override
    public String name() {
        return "audio";
    }

    @Override
    public Step process(Context context) throws Exception {
        if (ffmpeg.isEmpty()) {
            return new Step(Map.of(), Map.of("waveform", "not made: ffmpeg is not installed on the worker"));
        }
        Ffmpeg tools = ffmpeg.get();
        Path input = context.file().toAbsolutePath();
        try (WorkDir work = WorkDir.create(tempRoot, "audio-")) {
            JsonNode probe = tools.probe(input, work.path(), "audio file");
            JsonNode audio = Ffmpeg.stream(probe, "audio");
            if (audio.isMissingNode()) {
                throw new UnprocessableFileException("the file has no audio stream");
            }
            Map<String, Object> metadata = new LinkedHashMap<>();
            Ffmpeg.duration(probe).ifPresent(d -> metadata.put("durationSeconds", d));
            metadata.put("codec", audio.path("codec_name").asString("unknown"));
            // why: ffprobe gives the rate as a string taken from the file; a crafted value is left out, not retried
            int sampleRate = audio.path("sample_rate").asInt(0);
            if (sampleRate > 0) {
                metadata.put("sampleRate", sampleRate);
            }
            if (audio.has("channels")) {
                metadata.put("channels", audio.path("channels").asInt());
            }
            context.progress(30);
            Path waveform = work.resolve("waveform.png");
            ChildProcess.Result made = tools.run(
                    List.of(
                            "-i",
                            input.toString(),
                            "-filter_complex",
                            "aformat=channel_layouts=mono,showwavespic=s=" + WIDTH + "x" + HEIGHT + ":colors=0x3b6fd4",
                            "-frames:v",
                            "1",
                            "-y",
                            waveform.toString()),
                    work.path());
            if (!made.succeeded() || !Files.isRegularFile(waveform) || Files.size(waveform) == 0) {
                throw new UnprocessableFileException("the sound could not be decoded: " + made.errorLine());
            }
            try (InputStream in = Files.newInputStream(waveform);
                    OutputStream out = context.create("waveform", "image/png")) {
                in.transferTo(out);
            }
            Output output = new Output(context.outputKey("waveform"), Files.size(waveform), "image/png", WIDTH, HEIGHT);
            return new Step(Map.of("waveform", output), metadata);
        }
    }
}
