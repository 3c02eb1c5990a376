package io.chute.processing.video;

import io.chute.config.ChuteProperties;
import io.chute.job.Output;
import io.chute.processing.ChildProcess;
import io.chute.processing.Processor;
import io.chute.processing.UnprocessableFileException;
import io.chute.processing.WorkDir;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Videos → a {@code poster} frame (JPEG, at most 1280 px wide) and, unless the original already
 * plays in browsers, {@code playable}: an H.264/AAC MP4 at most 720p with its index up front
 * ({@code +faststart}), so it starts playing before it is all downloaded. Metadata:
 * {@code durationSeconds}, {@code width}, {@code height}, {@code videoCodec}, {@code audioCodec}
 * and {@code playable} ({@code "original"} or {@code "transcoded"}).
 *
 * <p>{@code ffprobe} and {@code ffmpeg} run as child processes (a crash in a decoder stays out of
 * the JVM), each killed at {@code chute.processing.ffmpeg.timeout} or when the job is cancelled;
 * the transcode reports its progress. Without them, a video still completes, with the original
 * only, and its metadata says why.
 */
@Component
public class VideoProcessor implements Processor {

    private static final Logger log = LoggerFactory.getLogger(VideoProcessor.class);
    static final Set<String> TYPES = Set.of(
            "video/mp4",
            "video/quicktime",
            "video/webm",
            "video/x-matroska",
            "video/x-msvideo",
            "video/mpeg",
            "video/3gpp",
            "video/x-m4v");
    private static final int POSTER_MAX_WIDTH = 1280;
    /** The short side of the web rendition: 720p, whichever way the phone was held. */
    private static final int PLAYABLE_SHORT_SIDE = 720;

    private static final Set<String> WEB_VIDEO = Set.of("h264", "vp8", "vp9", "av1");
    private static final Set<String> MP4_AUDIO = Set.of("aac", "mp3", "opus");
    private static final Set<String> WEBM_AUDIO = Set.of("vorbis", "opus");
    private static final int POSTER_DONE = 20;

    private final Optional<Ffmpeg> ffmpeg;
    private final Path tempRoot;

    public VideoProcessor(ChuteProperties properties) {
        ChuteProperties.Ffmpeg config = properties.processing().ffmpeg();
        this.ffmpeg = Ffmpeg.find(config);
        this.tempRoot = properties.dataDir().resolve("tmp");
        if (ffmpeg.isEmpty()) {
            log.info(
                    "ffmpeg/ffprobe not found in {}: videos are accepted and kept, without poster frames",
                    config.path() == null ? "the PATH" : config.path());
        }
    }

    @Override
    public String jobType() {
        return "video";
    }

    @Override
    public boolean handles(String mediaType) {
        return TYPES.contains(mediaType);
    }

    @Override
    public String name() {
        return "video";
    }

    @Override
    public Step process(Context context) throws Exception {
        if (ffmpeg.isEmpty()) {
            return new Step(Map.of(), Map.of("poster", "not made: ffmpeg is not installed on the worker"));
        }
        Ffmpeg tools = ffmpeg.get();
        Path input = context.file().toAbsolutePath();
        try (WorkDir work = WorkDir.create(tempRoot, "video-")) {
            JsonNode probe = tools.probe(input, work.path(), "video");
            JsonNode video = Ffmpeg.stream(probe, "video");
            if (video.isMissingNode() || !video.has("width")) {
                throw new UnprocessableFileException("the file has no video stream");
            }
            JsonNode audio = Ffmpeg.stream(probe, "audio");
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("width", video.path("width").asInt());
            metadata.put("height", video.path("height").asInt());
            Optional<Double> duration = Ffmpeg.duration(probe);
            duration.ifPresent(d -> metadata.put("durationSeconds", d));
            metadata.put("videoCodec", video.path("codec_name").asString("unknown"));
            if (!audio.isMissingNode()) {
                metadata.put("audioCodec", audio.path("codec_name").asString("unknown"));
            }
            Map<String, Output> outputs = new LinkedHashMap<>();
            outputs.put("poster", poster(tools, input, duration.orElse(0.0), work, context));
            context.progress(POSTER_DONE);
            if (playsInBrowsers(probe, video, audio)) {
                metadata.put("playable", "original");
            } else {
                outputs.put("playable", transcode(tools, input, duration.orElse(0.0), work, context));
                metadata.put("playable", "transcoded");
            }
            return new Step(outputs, metadata);
        }
    }

    private Output poster(Ffmpeg tools, Path input, double duration, WorkDir work, Context context) throws IOException {
        Path poster = work.resolve("poster.jpg");
        // why: a frame a little way in is more telling than the (often black) first one
        String at = String.format(Locale.ROOT, "%.3f", Math.min(1.0, duration / 10));
        ChildProcess.Result made = tools.run(
                List.of(
                        "-ss",
                        at,
                        "-i",
                        input.toString(),
                        "-frames:v",
                        "1",
                        "-vf",
                        "scale='min(" + POSTER_MAX_WIDTH + ",iw)':-2",
                        "-q:v",
                        "3",
                        "-y",
                        poster.toString()),
                work.path());
        if (!made.succeeded() || !Ffmpeg.exists(poster)) {
            throw new UnprocessableFileException("no frame could be decoded: " + made.errorLine());
        }
        int[] size = imageSize(poster);
        return store(poster, "poster", "image/jpeg", size, context);
    }

    /**
     * True when a browser plays the file as it is: an MP4 (not QuickTime) or WebM whose video is
     * 8-bit 4:2:0 H.264, VP8, VP9 or AV1 and whose audio, if any, the container's browsers decode.
     */
    static boolean playsInBrowsers(JsonNode probe, JsonNode video, JsonNode audio) {
        String format = probe.path("format").path("format_name").asString("");
        String brand = probe.path("format")
                .path("tags")
                .path("major_brand")
                .asString("")
                .strip();
        String videoCodec = video.path("codec_name").asString("");
        String audioCodec =
                audio.isMissingNode() ? null : audio.path("codec_name").asString("");
        boolean webm = format.contains("webm");
        boolean mp4 = format.contains("mp4") && !brand.isEmpty() && !brand.equals("qt");
        if (!(webm || mp4)
                || !WEB_VIDEO.contains(videoCodec)
                || !"yuv420p".equals(video.path("pix_fmt").asString(""))) {
            return false;
        }
        if (webm && videoCodec.equals("h264")) {
            return false;
        }
        return audioCodec == null || (webm ? WEBM_AUDIO : MP4_AUDIO).contains(audioCodec);
    }

    private Output transcode(Ffmpeg tools, Path input, double duration, WorkDir work, Context context)
            throws IOException {
        Path playable = work.resolve("playable.mp4");
        String shortSide = "trunc(min(" + PLAYABLE_SHORT_SIDE + ",%s)/2)*2";
        String scale = "scale='if(gte(iw,ih),-2," + shortSide.formatted("iw") + ")':'if(gte(iw,ih),"
                + shortSide.formatted("ih") + ",-2)'";
        ChildProcess.Result made = tools.runWithProgress(
                List.of(
                        "-i",
                        input.toString(),
                        "-map",
                        "0:v:0",
                        "-map",
                        "0:a:0?",
                        "-vf",
                        scale,
                        "-c:v",
                        "libx264",
                        "-preset",
                        "veryfast",
                        "-crf",
                        "23",
                        "-pix_fmt",
                        "yuv420p",
                        "-c:a",
                        "aac",
                        "-b:a",
                        "128k",
                        "-ac",
                        "2",
                        "-movflags",
                        "+faststart",
                        "-y",
                        playable.toString()),
                work.path(),
                duration,
                fraction -> context.progress(POSTER_DONE + (int) (fraction * (99 - POSTER_DONE))));
        if (!made.succeeded() || !Ffmpeg.exists(playable)) {
            throw new UnprocessableFileException("the video could not be made playable: " + made.errorLine());
        }
        JsonNode probe = tools.probe(playable, work.path(), "video");
        JsonNode video = Ffmpeg.stream(probe, "video");
        return store(
                playable,
                "playable",
                "video/mp4",
                new int[] {video.path("width").asInt(), video.path("height").asInt()},
                context);
    }

    private static Output store(Path file, String name, String contentType, int[] size, Context context)
            throws IOException {
        try (InputStream in = Files.newInputStream(file);
                OutputStream out = context.create(name, contentType)) {
            in.transferTo(out);
        }
        return new Output(context.outputKey(name), Files.size(file), contentType, size[0], size[1]);
    }

    /** Width and height from the image header, without decoding the pixels. */
    static int[] imageSize(Path image) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(image.toFile())) {
            var readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new UnprocessableFileException("ffmpeg produced no readable image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        }
    }
}
