package io.chute.processing.video;

import io.chute.config.ChuteProperties;
import io.chute.job.Output;
import io.chute.processing.ChildProcess;
import io.chute.processing.Processor;
import io.chute.processing.UnprocessableFileException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Videos → a {@code poster} frame (JPEG, at most 1280 px wide) and {@code durationSeconds},
 * {@code width}, {@code height} in the job's metadata, by {@code ffprobe} and {@code ffmpeg} run
 * as child processes (a crash in a decoder stays out of the JVM; a stuck one is killed). When
 * they are not installed, a video still completes, with the original only, and its metadata
 * says why.
 */
@Component
public class VideoProcessor implements Processor {

    private static final Logger log = LoggerFactory.getLogger(VideoProcessor.class);
    static final Set<String> TYPES = Set.of("video/mp4", "video/quicktime", "video/webm", "video/x-matroska",
            "video/x-msvideo", "video/mpeg", "video/3gpp", "video/x-m4v");
    private static final int POSTER_MAX_WIDTH = 1280;

    private final Optional<Path> ffmpeg;
    private final Optional<Path> ffprobe;
    private final Duration timeout;
    private final Path tempRoot;
    private final JsonMapper json = JsonMapper.builder().build();

    public VideoProcessor(ChuteProperties properties) {
        ChuteProperties.Ffmpeg config = properties.processing().ffmpeg();
        this.ffmpeg = find("ffmpeg", config.path());
        this.ffprobe = find("ffprobe", config.path());
        this.timeout = config.timeout();
        this.tempRoot = properties.dataDir().resolve("tmp");
        if (ffmpeg.isEmpty() || ffprobe.isEmpty()) {
            log.info("ffmpeg/ffprobe not found in {}: videos are accepted and kept, without poster frames",
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
        if (ffmpeg.isEmpty() || ffprobe.isEmpty()) {
            return new Step(Map.of(), Map.of("poster", "not made: ffmpeg is not installed on the worker"));
        }
        Path work = Files.createTempDirectory(Files.createDirectories(tempRoot), "video-");
        try {
            Map<String, Object> metadata = probe(context.file(), work);
            context.progress(30);
            double duration = ((Number) metadata.getOrDefault("durationSeconds", 0.0)).doubleValue();
            Path poster = work.resolve("poster.jpg");
            // why: a frame a little way in is more telling than the (often black) first one
            String at = String.format(Locale.ROOT, "%.3f", Math.min(1.0, duration / 10));
            ChildProcess.Result made = ChildProcess.run(List.of(ffmpeg.get().toString(), "-nostdin", "-v", "error",
                    "-ss", at, "-i", context.file().toString(), "-frames:v", "1",
                    "-vf", "scale='min(" + POSTER_MAX_WIDTH + ",iw)':-2", "-q:v", "3", "-y", poster.toString()),
                    Map.of(), work, timeout);
            if (!made.succeeded() || !Files.isRegularFile(poster) || Files.size(poster) == 0) {
                throw new UnprocessableFileException("no frame could be decoded: " + made.errorLine());
            }
            int[] size = imageSize(poster);
            try (InputStream in = Files.newInputStream(poster); OutputStream out = context.create("poster", "image/jpeg")) {
                in.transferTo(out);
            }
            Output output = new Output(context.outputKey("poster"), Files.size(poster), "image/jpeg", size[0], size[1]);
            return new Step(Map.of("poster", output), metadata);
        } finally {
            deleteTree(work);
        }
    }

    private Map<String, Object> probe(Path file, Path work) throws IOException {
        ChildProcess.Result probed = ChildProcess.run(List.of(ffprobe.get().toString(), "-v", "error",
                "-select_streams", "v:0", "-show_entries", "stream=width,height:format=duration", "-of", "json",
                file.toString()), Map.of(), work, timeout);
        if (!probed.succeeded()) {
            throw new UnprocessableFileException("not a readable video: " + probed.errorLine());
        }
        JsonNode root = json.readTree(probed.output());
        JsonNode stream = root.path("streams").path(0);
        if (stream.isMissingNode() || !stream.has("width")) {
            throw new UnprocessableFileException("the file has no video stream");
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("width", stream.path("width").asInt());
        metadata.put("height", stream.path("height").asInt());
        String duration = root.path("format").path("duration").asString("");
        if (!duration.isEmpty()) {
            try {
                metadata.put("durationSeconds", Double.parseDouble(duration));
            } catch (NumberFormatException ignored) {
                // an unknown duration (live streams, broken containers) is simply left out
            }
        }
        return metadata;
    }

    /** Width and height from the image header, without decoding the pixels. */
    private static int[] imageSize(Path image) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(image.toFile())) {
            var readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new UnprocessableFileException("ffmpeg produced no readable poster");
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

    private static Optional<Path> find(String tool, Path directory) {
        Stream<Path> candidates = directory != null ? Stream.of(directory)
                : Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(java.io.File.pathSeparator)).map(Path::of);
        return candidates.map(d -> d.resolve(tool)).filter(Files::isExecutable).findFirst();
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("Could not remove {}: {}", dir, e.toString());
        }
    }
}
