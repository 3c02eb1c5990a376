package io.chute.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.job.postgres.PostgresClaims;
import io.chute.support.TestDatabase;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dependency statements of {@link Jobs} on the machine's PostgreSQL, called directly: the
 * queues' polling would hide a broken one (a parent still runs, one poll later).
 */
class JobDependenciesIT {

    static TestDatabase database;
    static Jobs jobs;
    static PostgresClaims claims;
    static UUID owner;

    @BeforeAll
    static void database() {
        database = TestDatabase.create();
        JdbcClient jdbc = JdbcClient.create(database.dataSource());
        jobs = new Jobs(jdbc, JsonMapper.builder().build(), List.of());
        claims = new PostgresClaims(jdbc, jobs);
        owner = database.insertUser();
    }

    @AfterAll
    static void dropDatabase() {
        database.close();
    }

    @Test
    void aParentIsReleasedOnceItsLastChildCompletes() {
        String type = uniqueType();
        Job parent = jobs.insert(aJob(type).withPriority(-1));
        Job first = jobs.insert(aJob(type).withParent(parent.id()));
        Job second = jobs.insert(aJob(type).withParent(parent.id()));

        complete(first);
        assertThat(jobs.releasedByAny(List.of(first.id().value())))
                .as("one child still runs")
                .isEmpty();

        complete(second);
        assertThat(jobs.releasedByAny(List.of(second.id().value())))
                .extracting(Job::id)
                .containsExactly(parent.id());
    }

    @Test
    void aParentWhoseChildCanNoLongerCompleteFails() {
        String type = uniqueType();
        Job parent = jobs.insert(aJob(type));
        Job child = jobs.insert(aJob(type).withParent(parent.id()));

        List<Job> failed = jobs.failDependents(child.id(), "input job is REJECTED");

        assertThat(failed).extracting(Job::id).containsExactly(parent.id());
        assertThat(jobs.find(parent.id()).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
        assertThat(jobs.dependencies(parent.id())).extracting(Job::id).containsExactly(child.id());
    }

    private static void complete(Job job) {
        Job claimed = claims.claim(job.type(), "worker")
                .filter(j -> j.id().equals(job.id()))
                .orElseThrow();
        assertThat(jobs.complete(claimed, Map.of(), Map.of())).isTrue();
    }

    private static Jobs.NewJob aJob(String type) {
        return new Jobs.NewJob(
                owner,
                null,
                type,
                0,
                "file.bin",
                10L,
                "application/octet-stream",
                null,
                3,
                null,
                Instant.now().minusSeconds(1),
                Map.of());
    }

    private static String uniqueType() {
        return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }
}
