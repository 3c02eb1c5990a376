package io.chute.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.support.ChuteProcess;
import io.chute.support.Images;
import io.chute.support.TestClient;
import io.chute.support.TestDatabase;
import io.chute.support.TestUploads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection: a worker process is killed with SIGKILL in the middle of a job; after a
 * restart the job is taken back when its lease lapses and completes exactly once, with
 * correct outputs. The lease is the net for a worker that stopped renewing while its node's
 * heartbeat says nothing (here: taken for dead only after an hour).
 */
class WorkerCrashIT {

    @TempDir
    Path dir;

    @Test
    void aJobWhoseWorkerWasKilledCompletesOnceAfterRestart() throws Exception {
        try (TestDatabase database = TestDatabase.create()) {
            Path marker = dir.resolve("started");
            String[] common = {
                "--spring.datasource.url=" + database.jdbcUrl(),
                "--spring.datasource.username=" + database.user(),
                "--chute.data-dir=" + dir.resolve("data"),
                "--chute.jobs.lease=2s",
                // the lease is what this test checks: a dead node's heartbeat would give the job back sooner
                // (WorkerKillFaultIT), without counting the attempt
                "--chute.nodes.dead-after=1h",
                "--chute.jobs.poll-interval=500ms",
            };
            ChuteProcess doomed = ChuteProcess.start(
                    dir.resolve("doomed.log"),
                    with(common, "--spring.profiles.active=crash-test", "--chute.test.started-marker=" + marker));
            TestClient alice = doomed.client().registerNewUser();
            Map<String, Object> accepted = TestUploads.acceptedJob(alice, Images.jpeg(dir, 1600, 1200));
            String statusUrl = (String) accepted.get("statusUrl");

            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(marker));
            assertThat(alice.get(statusUrl).json())
                    .containsEntry("status", "PROCESSING")
                    .containsEntry("attempts", 1);
            doomed.kill();

            try (ChuteProcess restarted = ChuteProcess.start(dir.resolve("restarted.log"), common)) {
                TestClient again = alice.withBase(restarted.base());
                Map<String, Object> job = await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> again.get(statusUrl).json(), j -> "COMPLETED".equals(j.get("status")));

                assertThat(job).containsEntry("attempts", 2);
                @SuppressWarnings("unchecked")
                Map<String, Map<String, Object>> outputs = (Map<String, Map<String, Object>>) job.get("outputs");
                assertThat(outputs).containsOnlyKeys("thumbnail", "medium", "large");
                assertThat(Images.size(again.fetch((String) outputs.get("large").get("url"))
                                .body()))
                        .containsExactly(1600, 1200);
                assertThat(Images.size(
                                again.fetch((String) outputs.get("thumbnail").get("url"))
                                        .body()))
                        .containsExactly(200, 200);
                // exactly once: it stays COMPLETED with the same version, no further attempt
                Object version = job.get("attempts");
                await().during(Duration.ofSeconds(3))
                        .atMost(Duration.ofSeconds(5))
                        .until(
                                () -> again.get(statusUrl).json(),
                                j -> "COMPLETED".equals(j.get("status")) && version.equals(j.get("attempts")));
            }
        }
    }

    private static String[] with(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
