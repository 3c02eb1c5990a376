package io.chute.job.rabbit;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.job.Job;
import io.chute.job.Jobs;
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
 * The outbox statements on the machine's PostgreSQL, called directly: the RabbitMQ queue's safety
 * net would hide a broken one (a job without its message is re-published a sweep later).
 */
class JobOutboxIT {

    static TestDatabase database;
    static JdbcClient jdbc;
    static Jobs jobs;
    static JobOutbox outbox;
    static UUID owner;

    @BeforeAll
    static void database() {
        database = TestDatabase.create();
        jdbc = JdbcClient.create(database.dataSource());
        jobs = new Jobs(jdbc, JsonMapper.builder().build(), List.of());
        outbox = new JobOutbox(jdbc);
        owner = database.insertUser();
    }

    @AfterAll
    static void dropDatabase() {
        database.close();
    }

    @Test
    void aWaitingJobGetsAFreshMessageAndACancelledOneNone() {
        Job waiting = jobs.insert(aJob(Instant.now().minusSeconds(1)));
        Job cancelled = jobs.insert(aJob(Instant.now().minusSeconds(1)));
        jobs.cancel(cancelled.id()).orElseThrow();

        assertThat(outbox.addIfWaiting(waiting.id())).isTrue();
        assertThat(outbox.addIfWaiting(cancelled.id())).isFalse();
        assertThat(rowsFor(waiting)).isEqualTo(1);
    }

    @Test
    void onlyAJobNotYetDueGoesBackThroughADelayQueue() {
        Job later = jobs.insert(aJob(Instant.now().plusSeconds(3600)));
        Job due = jobs.insert(aJob(Instant.now().minusSeconds(1)));

        assertThat(outbox.addIfNotYetDue(later.id())).isTrue();
        assertThat(outbox.addIfNotYetDue(due.id())).isFalse();
    }

    @Test
    void theSafetyNetFindsOverdueJobsWithoutAMessageOnly() {
        Job orphan = jobs.insert(aJob(Instant.now().minusSeconds(60)));
        Job queued = jobs.insert(ofType(orphan.type(), Instant.now().minusSeconds(60)));
        outbox.add(queued);

        assertThat(outbox.addOrphans(orphan.type(), 1)).isEqualTo(1);
        assertThat(rowsFor(orphan)).isEqualTo(1);
        assertThat(rowsFor(queued)).isEqualTo(1);
    }

    private static long rowsFor(Job job) {
        return jdbc.sql("select count(*) from job_outbox where job_id = ?")
                .param(job.id().value())
                .query(Long.class)
                .single();
    }

    private static Jobs.NewJob aJob(Instant runAt) {
        return ofType("outbox-" + UUID.randomUUID().toString().substring(0, 8), runAt);
    }

    private static Jobs.NewJob ofType(String type, Instant runAt) {
        return new Jobs.NewJob(
                owner, null, type, 0, "file.bin", 10L, "application/octet-stream", null, 3, null, runAt, Map.of());
    }
}
