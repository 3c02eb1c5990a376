package io.chute.processing.video;

import static io.chute.support.FileFlow.output;
import static io.chute.support.FileFlow.uploadAndSettle;
import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.ChuteProcess;
import io.chute.support.TestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chute started with no settings at all, so its data dir is the default, relative {@code ./data}:
 * child processes run in directories of their own and must still find the files.
 */
class ZeroConfigVideoIT {

    @TempDir
    Path dir;

    @Test
    void aVideoCompletesOnANodeWithTheDefaultRelativeDataDir() throws Exception {
        Path home = Files.createDirectories(dir.resolve("node"));
        Path video = VideoFlowIT.testVideo(dir, 320, 180, 1);
        try (ChuteProcess chute = ChuteProcess.startIn(home, dir.resolve("chute.log"))) {
            TestClient alice = chute.client().registerNewUser();

            Map<String, Object> job = uploadAndSettle(alice, video, "clip.mp4", "video/mp4", Duration.ofSeconds(90));

            assertThat(job).as(job.toString()).containsEntry("status", "COMPLETED");
            assertThat(output(job, "poster")).containsEntry("width", 320).containsEntry("height", 180);
            assertThat(home.resolve("data/objects")).isDirectory();
        }
    }
}
