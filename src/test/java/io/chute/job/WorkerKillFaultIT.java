package io.chute.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.support.ChuteProcess;
import io.chute.support.Images;
import io.chute.support.TestClient;
import io.chute.support.TestDatabase;
import io.chute.support.TestUploads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Fault injection with real processes on the PostgreSQL queue: ten times, a worker-only node is
 * killed with SIGKILL in the middle of a job (the job of a file named for that node hangs once
 * started, see {@link CrashTestHooks}; its other jobs run as usual) while a surviving node runs.
 * The lease stays 30 s; the job must be COMPLETED by a live node within 10 s of the kill, because
 * the dead node's heartbeat is gone, without using up an attempt, and with each output stored
 * once. The doomed nodes are started one ahead, so that a kill does not wait for a start-up.
 */
class WorkerKillFaultIT {

    private static final int KILLS = 10;

    // the nodes' logs stay when it fails
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private record Doomed(ChuteProcess process, Path marker, String fileName) {}

    @Test
    void jobsOfKilledWorkersCompleteWithinSecondsWithoutUsingAttempts() throws Exception {
        ExecutorService starter = Executors.newSingleThreadExecutor();
        List<Future<Doomed>> doomed = new ArrayList<>();
        try (TestDatabase database = TestDatabase.create()) {
            JdbcClient sql = JdbcClient.create(database.dataSource());
            Path data = dir.resolve("data");
            String[] common = {
                "--spring.datasource.url=" + database.jdbcUrl(),
                "--spring.datasource.username=" + database.user(),
                "--chute.data-dir=" + data,
                "--chute.jobs.lease=30s",
                "--chute.nodes.dead-after=5s",
            };
            Path jpeg = Images.jpeg(dir, 800, 600);
            List<String> killedJobs = new ArrayList<>();
            List<Duration> recoveries = new ArrayList<>();
            int runElsewhere = 0;
            try (ChuteProcess survivor =
                    ChuteProcess.start(dir.resolve("survivor.log"), Duration.ofMinutes(3), common)) {
                for (int i = 0; i < KILLS; i++) {
                    int n = i;
                    doomed.add(starter.submit(() -> {
                        Path marker = dir.resolve("started-" + n);
                        String fileName = "doomed-" + n + ".jpg";
                        return new Doomed(
                                ChuteProcess.start(
                                        dir.resolve("doomed-" + n + ".log"),
                                        Duration.ofMinutes(3),
                                        with(
                                                common,
                                                "--chute.roles=worker",
                                                "--spring.profiles.active=crash-test",
                                                "--chute.test.started-marker=" + marker,
                                                "--chute.test.hang-only-on=" + fileName)),
                                marker,
                                fileName);
                    }));
                }
                TestClient alice = survivor.client().registerNewUser();
                for (int round = 0; round < KILLS; round++) {
                    Doomed node = doomed.get(round).get();
                    try {
                        // every live node claims; upload until the doomed one takes its file's job
                        String statusUrl;
                        while (true) {
                            statusUrl = (String) TestUploads.signedUpload(alice, jpeg, node.fileName())
                                    .get("statusUrl");
                            String url = statusUrl;
                            await().atMost(Duration.ofSeconds(30))
                                    .pollInterval(Duration.ofMillis(50))
                                    .until(() -> Files.exists(node.marker())
                                            || "COMPLETED"
                                                    .equals(alice.get(url)
                                                            .json()
                                                            .get("status")));
                            if (Files.exists(node.marker())) {
                                break;
                            }
                            runElsewhere++;
                        }
                        String jobId = await().until(() -> Files.readString(node.marker()), s -> !s.isEmpty());
                        assertThat(statusUrl).endsWith(jobId);
                        // the worker-only node heartbeats, and its worker id names it
                        String owner = sql.sql("select lease_owner from jobs where job_id = ?")
                                .param(UUID.fromString(jobId))
                                .query(String.class)
                                .single();
                        assertThat(sql.sql("select count(*) from nodes where node_id = ?"
                                                + " and heartbeat_at > now() - interval '3 seconds'")
                                        .param(owner.substring(0, owner.indexOf('/')))
                                        .query(Long.class)
                                        .single())
                                .isEqualTo(1);

                        node.process().kill();
                        long killedAt = System.nanoTime();
                        String url = statusUrl;
                        Map<String, Object> job = await().atMost(Duration.ofSeconds(10))
                                .pollInterval(Duration.ofMillis(100))
                                .until(() -> alice.get(url).json(), j -> "COMPLETED".equals(j.get("status")));
                        recoveries.add(Duration.ofNanos(System.nanoTime() - killedAt));
                        killedJobs.add(jobId);
                        assertThat(job).containsEntry("attempts", 1);
                    } finally {
                        node.process().kill();
                    }
                }

                // lost: a job that is not COMPLETED; stuck: one still PROCESSING; duplicated: a stored output
                // beyond those the jobs list (keys are per job and name, so a second run could only add objects)
                long lost = count(sql, "select count(*) from jobs where status <> 'COMPLETED'");
                long stuck = count(sql, "select count(*) from jobs where status = 'PROCESSING'");
                long jobs = count(sql, "select count(*) from jobs");
                long expected = count(
                        sql,
                        "select count(*) from jobs j, jsonb_object_keys(j.outputs) k where j.status = 'COMPLETED'");
                long duplicated = countFiles(data.resolve("objects/processed")) - expected;
                long crashes = sql.sql("select coalesce(sum(crashes), 0) from jobs where job_id = any(?)")
                        .param(killedJobs.stream().map(UUID::fromString).toArray(UUID[]::new))
                        .query(Long.class)
                        .single();
                List<Long> millis =
                        recoveries.stream().map(Duration::toMillis).sorted().toList();
                System.out.printf(
                        "WorkerKillFaultIT: %d kills, %d jobs (%d taken by another node first), lost %d, stuck %d,"
                                + " duplicated outputs %d, crashes counted %d; kill to COMPLETED ms: median %d,"
                                + " max %d %s%n",
                        killedJobs.size(),
                        jobs,
                        runElsewhere,
                        lost,
                        stuck,
                        duplicated,
                        crashes,
                        millis.get(millis.size() / 2),
                        millis.getLast(),
                        millis);
                assertThat(killedJobs).hasSize(KILLS);
                assertThat(lost).isZero();
                assertThat(stuck).isZero();
                assertThat(expected).isGreaterThanOrEqualTo(3L * jobs);
                assertThat(duplicated).isZero();
                assertThat(crashes).isEqualTo(KILLS);
                assertThat(count(sql, "select count(*) from jobs where attempts <> 1"))
                        .isZero();
            }
        } finally {
            // nodes not yet starting never start; those starting are awaited, then every one is killed
            doomed.forEach(f -> f.cancel(false));
            starter.shutdown();
            starter.awaitTermination(2, java.util.concurrent.TimeUnit.MINUTES);
            for (Future<Doomed> f : doomed) {
                if (!f.isCancelled()) {
                    try {
                        f.get().process().kill();
                    } catch (java.util.concurrent.ExecutionException e) {
                        // it failed to start: nothing to kill
                    }
                }
            }
        }
    }

    private static long count(JdbcClient sql, String query) {
        return sql.sql(query).query(Long.class).single();
    }

    private static long countFiles(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String[] with(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
