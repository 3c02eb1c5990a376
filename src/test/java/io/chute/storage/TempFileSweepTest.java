package io.chute.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.config.ChuteProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * What a killed node left in {@code objects/.tmp} and in the job work directories under
 * {@code tmp} goes once nothing in it has been written for the sweep's age; what is younger, or a
 * directory in which something was written lately, stays.
 */
class TempFileSweepTest {

    @TempDir
    Path data;

    @Test
    void leftoversUntouchedForTheAgeAreRemovedAndRecentOnesStay() throws Exception {
        TempFileSweep sweep = new TempFileSweep(properties(Map.of("chute.data-dir", data.toString())));
        Instant old = Instant.now().minus(sweep.maxAge()).minus(Duration.ofMinutes(5));
        Path objectsTmp = Files.createDirectories(data.resolve("objects/.tmp"));
        Path partial = touched(Files.writeString(objectsTmp.resolve("put-123.part"), "half a file"), old);
        Path streaming = Files.writeString(objectsTmp.resolve("put-456.part"), "still arriving");
        Path deadJob = Files.createDirectories(data.resolve("tmp/video-789"));
        touched(Files.writeString(deadJob.resolve("frame.png"), "x"), old);
        touched(deadJob, old);
        Path liveJob = Files.createDirectories(data.resolve("tmp/office-42"));
        touched(liveJob, old);
        Files.writeString(liveJob.resolve("out.pdf"), "written just now");

        assertThat(sweep.sweep(Instant.now().minus(sweep.maxAge()))).isEqualTo(2);

        assertThat(partial).doesNotExist();
        assertThat(deadJob).doesNotExist();
        assertThat(streaming).exists();
        assertThat(liveJob.resolve("out.pdf")).exists();
    }

    @Test
    void theAgeIsAnHourOrTwiceTheLongestJobTimeout() {
        assertThat(new TempFileSweep(properties(Map.of("chute.data-dir", data.toString()))).maxAge())
                .isEqualTo(Duration.ofHours(1));
        assertThat(new TempFileSweep(properties(
                                Map.of("chute.data-dir", data.toString(), "chute.jobs.types.video.timeout", "2h")))
                        .maxAge())
                .isEqualTo(Duration.ofHours(4));
    }

    @Test
    void aDataDirWithoutScratchPlacesIsNoError() {
        TempFileSweep sweep = new TempFileSweep(
                properties(Map.of("chute.data-dir", data.resolve("new").toString())));
        assertThat(sweep.sweep(Instant.now())).isZero();
    }

    private static Path touched(Path p, Instant when) throws Exception {
        Files.setLastModifiedTime(p, FileTime.from(when));
        return p;
    }

    private static ChuteProperties properties(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("chute", ChuteProperties.class);
    }
}
