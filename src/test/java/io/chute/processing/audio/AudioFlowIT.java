package io.chute.processing.audio;

import static io.chute.support.FileFlow.metadata;
import static io.chute.support.FileFlow.output;
import static io.chute.support.FileFlow.uploadAndSettle;
import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.EmbeddedChuteIT;
import io.chute.support.Images;
import io.chute.support.Media;
import io.chute.support.TestClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Voice notes and music: duration, codec and a waveform image. */
class AudioFlowIT extends EmbeddedChuteIT {

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"mp3, libmp3lame, mp3", "ogg, libvorbis, vorbis"})
    void anAudioFileGetsItsDurationCodecAndAWaveform(String extension, String encoder, String codec) throws Exception {
        TestClient alice = newUser();
        Path sound = dir.resolve("note." + extension);
        Media.ffmpeg(
                dir, "-f", "lavfi", "-i", "sine=frequency=330:duration=2", "-c:a", encoder, "-y", sound.toString());

        Map<String, Object> job =
                uploadAndSettle(alice, sound, "voice-note." + extension, "audio/" + extension, Duration.ofSeconds(60));

        assertThat(job).as(job.toString()).containsEntry("status", "COMPLETED").containsEntry("type", "audio");
        assertThat(metadata(job)).containsEntry("codec", codec).containsEntry("sampleRate", 44100);
        assertThat(((Number) metadata(job).get("durationSeconds")).doubleValue())
                .isBetween(1.9, 2.2);
        Map<String, Object> waveform = output(job, "waveform");
        assertThat(waveform)
                .containsEntry("contentType", "image/png")
                .containsEntry("width", 800)
                .containsEntry("height", 160);
        assertThat(Images.size(alice.fetch((String) waveform.get("url")).body()))
                .containsExactly(800, 160);
    }
}
