package io.chute.processing.video;

import static io.chute.support.FileFlow.metadata;
import static io.chute.support.FileFlow.output;
import static io.chute.support.FileFlow.uploadAndSettle;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.config.ChuteProperties;
import io.chute.processing.LocalContext;
import io.chute.processing.Processor;
import io.chute.support.EmbeddedChuteIT;
import io.chute.support.Images;
import io.chute.support.Media;
import io.chute.support.Multipart;
import io.chute.support.TestClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Videos: a poster frame and their dimensions and duration, or the original only without ffmpeg. */
class VideoFlowIT extends EmbeddedChuteIT {

    @TempDir
    Path dir;

    @Test
    void aVideoGetsAPosterFrameAndItsDurationAndSize() throws Exception {
        TestClient alice = newUser();
        Path video = testVideo(dir, 640, 360, 3);

        Multipart form = Multipart.file("file", "clip.mp4", "video/mp4", video);
        TestClient.Response accepted = alice.postRaw("/api/upload", form.contentType(), form.body());
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);

        Map<String, Object> job = await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> alice.get((String) accepted.json().get("statusUrl"))
                                .json(),
                        j -> List.of("COMPLETED", "REJECTED", "FAILED").contains(j.get("status")));
        assertThat(job).containsEntry("status", "COMPLETED").containsEntry("type", "video");
        // by magic bytes alone an ISO base media file reads as QuickTime, its ancestor format
        assertThat(job.get("detectedType")).isIn("video/mp4", "video/quicktime");
        @SuppressWarnings("unchecked")
        Map<String, Object> metadata = (Map<String, Object>) job.get("metadata");
        assertThat(metadata).containsEntry("width", 640).containsEntry("height", 360);
        assertThat(((Number) metadata.get("durationSeconds")).doubleValue()).isBetween(2.9, 3.1);
        @SuppressWarnings("unchecked")
        Map<String, Object> poster = ((Map<String, Map<String, Object>>) job.get("outputs")).get("poster");
        assertThat(poster)
                .containsEntry("width", 640)
                .containsEntry("height", 360)
                .containsEntry("contentType", "image/jpeg");
        assertThat(Images.size(alice.fetch((String) poster.get("url")).body())).containsExactly(640, 360);
    }

    @Test
    void aPhoneStyleHevcVideoGetsAPosterAndAnH264Mp4AtMost720p() throws Exception {
        TestClient bob = newUser();
        Path video = Media.phoneVideo(dir, 960, 1280);

        Map<String, Object> job =
                uploadAndSettle(bob, video, "IMG_0042.MOV", "video/quicktime", Duration.ofSeconds(120));

        assertThat(job).as(job.toString()).containsEntry("status", "COMPLETED");
        assertThat(metadata(job))
                .containsEntry("videoCodec", "hevc")
                .containsEntry("audioCodec", "aac")
                .containsEntry("playable", "transcoded");
        assertThat(output(job, "poster")).containsEntry("contentType", "image/jpeg");
        Map<String, Object> playable = output(job, "playable");
        assertThat(playable)
                .containsEntry("contentType", "video/mp4")
                .containsEntry("width", 720)
                .containsEntry("height", 960);
        byte[] mp4 = bob.fetch((String) playable.get("url")).body();
        Path downloaded = Files.write(dir.resolve("playable.mp4"), mp4);
        assertThat(Media.probe(downloaded)).contains("codec_name=h264", "codec_name=aac", "pix_fmt=yuv420p");
        String boxes = new String(mp4, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(boxes.indexOf("moov"))
                .as("+faststart puts the index before the media")
                .isLessThan(boxes.indexOf("mdat"));
    }

    @Test
    void withoutFfmpegAVideoCompletesWithTheOriginalOnlyAndSaysWhy() throws Exception {
        ChuteProperties properties = new Binder(new MapConfigurationPropertySource(Map.of(
                        "chute.processing.ffmpeg.path",
                                dir.resolve("no-ffmpeg-here").toString(),
                        "chute.data-dir", dir.toString())))
                .bindOrCreate("chute", ChuteProperties.class);
        VideoProcessor processor = new VideoProcessor(properties);
        Path video = testVideo(dir, 160, 90, 1);

        Processor.Step step = processor.process(LocalContext.of(video, "video/mp4", dir.resolve("out")));

        assertThat(step.outputs()).isEmpty();
        assertThat(step.metadata()).containsEntry("poster", "not made: ffmpeg is not installed on the worker");
        assertThat(processor.handles("video/mp4")).isTrue();
    }

    /** A real MP4 made by ffmpeg's test source (the tests need ffmpeg, as CI installs it). */
    static Path testVideo(Path dir, int width, int height, int seconds) throws IOException, InterruptedException {
        Path out = dir.resolve("clip-" + width + "x" + height + ".mp4");
        Process ffmpeg = new ProcessBuilder(
                        "ffmpeg",
                        "-nostdin",
                        "-v",
                        "error",
                        "-f",
                        "lavfi",
                        "-i",
                        "testsrc=duration=" + seconds + ":size=" + width + "x" + height + ":rate=25",
                        "-pix_fmt",
                        "yuv420p",
                        "-y",
                        out.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("ffmpeg.log").toFile())
                .start();
        assertThat(ffmpeg.waitFor(60, TimeUnit.SECONDS))
                .as("ffmpeg (apt-get install ffmpeg) made a test video")
                .isTrue();
        assertThat(ffmpeg.exitValue())
                .as(Files.readString(dir.resolve("ffmpeg.log")))
                .isZero();
        return out;
    }
}
