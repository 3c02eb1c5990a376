package io.chute.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.config.ChuteProperties;
import io.chute.job.postgres.PostgresClaims;
import io.chute.job.postgres.PostgresJobQueue;
import io.chute.realtime.JobEventsForBenchmarks;
import io.chute.support.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code job.updated} is written to the replay log in the transaction of the change it reports:
 * over many no-op jobs through the PostgreSQL queue each job is announced COMPLETED exactly once,
 * and a change that rolls back leaves no event.
 */
class JobUpdatedEventsIT {

    private static final int JOBS = 1_000;

    private TestDatabase database;
    private JdbcClient jdbc;
    private Jobs jobs;
    private TransactionTemplate tx;
    private UUID owner;
    private PostgresJobQueue queue;

    @BeforeEach
    void setUp() throws Exception {
        database = TestDatabase.create();
        jdbc = JdbcClient.create(database.dataSource());
        tx = new TransactionTemplate(new DataSourceTransactionManager(database.dataSource()));
        List<JobChanges> observers = new CopyOnWriteArrayList<>();
        jobs = new Jobs(jdbc, JsonMapper.builder().build(), observers, tx);
        observers.add(JobEventsForBenchmarks.publisher(jdbc, jobs));
        owner = UUID.randomUUID();
        jdbc.sql("insert into users (id, username, password_hash, display_name) values (?, ?, 'x', 'Owner')")
                .params(owner, "owner-" + owner.toString().substring(0, 8))
                .update();
    }

    @AfterEach
    void tearDown() {
        if (queue != null) {
            queue.stop(Duration.ofSeconds(5));
        }
        database.close();
    }

    @Test
    void everyJobIsAnnouncedCompletedExactlyOnce() {
        String type = "noop";
        ChuteProperties.Jobs config = new ChuteProperties.Jobs(
                3,
                Duration.ofMillis(300),
                Duration.ofSeconds(30),
                10_000,
                8,
                8,
                Duration.ofMillis(200),
                Duration.ofMinutes(1),
                Duration.ofSeconds(5),
                Map.of(),
                3);
        queue = new PostgresJobQueue(new PostgresClaims(jdbc, jobs), database.dataSource(), config);
        JobRunner runner = new JobRunner(jobs, List.of(noop(type)), config, tx);
        runner.attach(queue);
        queue.start(runner);

        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            ids.add(tx.execute(s -> {
                Job job = jobs.insert(aJob(type));
                queue.submitted(job);
                return job.id().value();
            }));
        }

        await().atMost(Duration.ofMinutes(3))
                .until(() -> jdbc.sql("select count(*) from jobs where status = 'COMPLETED'")
                                .query(Long.class)
                                .single()
                        == JOBS);
        Map<UUID, Long> completedEvents =
                jdbc
                        .sql("""
                select cast(payload ->> 'jobId' as uuid) as id, count(*) as n from events
                where type = 'job.updated' and payload ->> 'status' = 'COMPLETED'
                group by 1""")
                        .query((rs, n) -> Map.entry(rs.getObject("id", UUID.class), rs.getLong("n")))
                        .list()
                        .stream()
                        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(completedEvents.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(completedEvents.values()).allMatch(n -> n == 1L);
        assertThat(jdbc.sql("select count(*) from events where type = 'job.updated'")
                        .query(Long.class)
                        .single())
                .as("PENDING, PROCESSING and COMPLETED: one event per change")
                .isEqualTo(3L * JOBS);
    }

    @Test
    void aChangeThatRollsBackLeavesNoEvent() {
        Job job = tx.execute(s -> jobs.insert(aJob("noop")));
        long before = eventsOf(job);

        tx.executeWithoutResult(s -> {
            assertThat(jobs.cancel(job.id())).isPresent();
            s.setRollbackOnly();
        });

        assertThat(eventsOf(job)).isEqualTo(before);
        assertThat(jobs.find(job.id()).orElseThrow().status()).isEqualTo(JobStatus.PENDING);
    }

    private long eventsOf(Job job) {
        return jdbc.sql("select count(*) from events where payload ->> 'jobId' = ?")
                .param(job.id().value().toString())
                .query(Long.class)
                .single();
    }

    private Jobs.NewJob aJob(String type) {
        return new Jobs.NewJob(
                owner, null, type, 0, "file.bin", 10L, "application/octet-stream", null, 3, null, null, Map.of());
    }

    private static JobHandler noop(String type) {
        return new JobHandler() {
            @Override
            public Set<String> types() {
                return Set.of(type);
            }

            @Override
            public Result handle(Job job, Progress progress) {
                return new Result(Map.of(), Map.of());
            }
        };
    }
}
