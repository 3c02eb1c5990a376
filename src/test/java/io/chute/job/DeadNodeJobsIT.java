package io.chute.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * The takeover statement on the machine's PostgreSQL: only PROCESSING jobs of nodes whose
 * heartbeat is gone are taken, never those of live nodes nor the caller's own; the crash gives
 * the attempt back and is counted, and the last allowed crash fails the job.
 */
class DeadNodeJobsIT {

    static TestDatabase database;
    static JdbcClient jdbc;
    static Jobs jobs;
    static UUID owner;

    @BeforeAll
    static void database() {
        database = TestDatabase.create();
        jdbc = JdbcClient.create(database.dataSource());
        jobs = new Jobs(jdbc, JsonMapper.builder().build(), List.of());
        owner = database.insertUser();
    }

    @AfterAll
    static void dropDatabase() {
        database.close();
    }

    @Test
    void onlyTheJobsOfDeadNodesAreTakenBackWithoutUsingAnAttempt() {
        String dead = node(60), live = node(0), self = node(60), gone = "never-heartbeated";
        UUID ofDead = running(dead + "/w1", 0);
        UUID ofLive = running(live + "/w1", 0);
        UUID ofSelf = running(self + "/w1", 0);
        UUID ofGone = running(gone + "/w1", 0);
        UUID crashedTwice = running(dead + "/w2", 2);

        List<Job> taken = jobs.takeBackFromDeadNodes(self, Duration.ofSeconds(5), 3);

        assertThat(taken).extracting(j -> j.id().value()).containsExactlyInAnyOrder(ofDead, ofGone, crashedTwice);
        assertThat(row(ofDead))
                .containsEntry("status", "RETRYING")
                .containsEntry("attempts", 0)
                .containsEntry("crashes", 1)
                .containsEntry("lease_owner", null);
        assertThat((String) row(ofDead).get("error_message")).contains(dead);
        assertThat(row(crashedTwice))
                .containsEntry("status", "FAILED")
                .containsEntry("attempts", 1)
                .containsEntry("crashes", 3);
        assertThat((String) row(crashedTwice).get("error_message")).contains("died 3 times");
        assertThat(row(ofLive)).containsEntry("status", "PROCESSING").containsEntry("crashes", 0);
        assertThat(row(ofSelf)).containsEntry("status", "PROCESSING").containsEntry("crashes", 0);

        assertThat(jobs.takeBackFromDeadNodes(self, Duration.ofSeconds(5), 3)).isEmpty();
    }

    /** A node whose last heartbeat was {@code secondsAgo} ago. */
    private static String node(int secondsAgo) {
        String id = "node-" + UUID.randomUUID().toString().substring(0, 8);
        jdbc.sql("insert into nodes (node_id, heartbeat_at) values (?, now() - make_interval(secs => ?))")
                .params(id, secondsAgo)
                .update();
        return id;
    }

    /** A job claimed by {@code worker} (one attempt used) that crashed its workers {@code crashes} times before. */
    private static UUID running(String worker, int crashes) {
        Job job = jobs.insert(
                new Jobs.NewJob(owner, null, "dead-node", 0, "f.bin", 1L, null, null, 5, null, null, Map.of()));
        jdbc.sql("""
                update jobs set status = 'PROCESSING', attempts = 1, lease_owner = ?, heartbeat_at = now(),
                       crashes = ? where job_id = ?""").params(worker, crashes, job.id().value()).update();
        return job.id().value();
    }

    private static Map<String, Object> row(UUID id) {
        return jdbc.sql("select status, attempts, crashes, lease_owner, error_message from jobs where job_id = ?")
                .param(id)
                .query()
                .singleRow();
    }
}
