package io.chute.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.config.ChuteProperties;
import io.chute.job.rabbit.DeliveryClaims;
import io.chute.job.rabbit.JobOutbox;
import io.chute.job.rabbit.OutboxRelay;
import io.chute.job.rabbit.RabbitJobQueue;
import io.chute.support.TestBroker;
import io.chute.support.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * RabbitMQ stops and starts while jobs keep arriving: nothing accepted is lost, nothing runs
 * twice. Stops the machine's RabbitMQ application for a few seconds ({@code rabbitmqctl
 * stop_app}/{@code start_app}), so other users of that broker see it go away too.
 */
class BrokerRestartIT {

    private TestDatabase database;
    private TestBroker broker;
    private Jobs jobs;
    private TransactionTemplate tx;
    private UUID owner;
    private OutboxRelay relay;
    private RabbitJobQueue queue;
    private final AtomicBoolean stopped = new AtomicBoolean();

    @BeforeEach
    void backends() {
        database = TestDatabase.create();
        broker = TestBroker.create();
        JdbcClient jdbc = JdbcClient.create(database.dataSource());
        jobs = new Jobs(jdbc, JsonMapper.builder().build(), java.util.List.of());
        tx = new TransactionTemplate(new DataSourceTransactionManager(database.dataSource()));
        owner = UUID.randomUUID();
        jdbc.sql("insert into users (id, username, password_hash, display_name) values (?, 'restart', 'x', 'Restart')")
                .param(owner)
                .update();
    }

    @AfterEach
    void cleanUp() {
        if (stopped.get()) {
            TestBroker.startApp();
        }
        if (queue != null) {
            queue.stop(Duration.ofSeconds(5));
        }
        if (relay != null) {
            relay.stop();
        }
        broker.close();
        database.close();
    }

    @Test
    void everyAcceptedJobCompletesExactlyOnceAcrossABrokerStopAndStart() throws Exception {
        String type = "restart";
        ChuteProperties.Jobs config = new ChuteProperties.Jobs(
                3,
                Duration.ofMillis(300),
                Duration.ofSeconds(10),
                1_000_000,
                4,
                4,
                Duration.ofMillis(500),
                Duration.ofSeconds(30),
                Duration.ofSeconds(5),
                Map.of(),
                3);
        Map<JobId, AtomicInteger> finishedRuns = new ConcurrentHashMap<>();
        JobHandler handler = new JobHandler() {
            @Override
            public Set<String> types() {
                return Set.of(type);
            }

            @Override
            public Result handle(Job job, Progress progress) throws Exception {
                Thread.sleep(2); // a little work, so that some runs straddle the outage
                finishedRuns.computeIfAbsent(job.id(), k -> new AtomicInteger()).incrementAndGet();
                return new Result(Map.of(), Map.of());
            }
        };
        JobOutbox outbox = new JobOutbox(JdbcClient.create(database.dataSource()));
        relay = new OutboxRelay(outbox, tx, broker.broker(), Duration.ofMillis(500));
        relay.start();
        queue = new RabbitJobQueue(
                new DeliveryClaims(JdbcClient.create(database.dataSource()), jobs),
                outbox,
                relay,
                broker.broker(),
                config);
        JobRunner runner = new JobRunner(jobs, List.of(handler), config, tx);
        runner.attach(queue);
        queue.start(runner);

        List<JobId> accepted = new CopyOnWriteArrayList<>();
        AtomicBoolean submitting = new AtomicBoolean(true);
        Thread submitter = Thread.ofPlatform().name("submitter").start(() -> {
            while (submitting.get()) {
                // as the API does: the job row and its outbox row in one transaction
                Job job = tx.execute(s -> {
                    Job j = jobs.insert(Jobs.NewJob.forUpload(owner, null, type, "f.bin", 1, null, null, 3));
                    queue.submitted(j);
                    return j;
                });
                accepted.add(job.id());
                try {
                    Thread.sleep(3); // a steady trickle of uploads
                } catch (InterruptedException e) {
                    return;
                }
            }
        });

        await().atMost(Duration.ofSeconds(30)).until(() -> finishedRuns.size() >= 200);
        TestBroker.stopApp();
        stopped.set(true);
        int acceptedAtStop = accepted.size();
        await().atMost(Duration.ofSeconds(30)).until(() -> accepted.size() >= acceptedAtStop + 300);
        int acceptedWhileDown = accepted.size() - acceptedAtStop;
        TestBroker.startApp();
        stopped.set(false);
        int acceptedAtStart = accepted.size();
        await().atMost(Duration.ofSeconds(30)).until(() -> accepted.size() >= acceptedAtStart + 300);
        submitting.set(false);
        submitter.join();

        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> accepted.stream()
                        .allMatch(id -> jobs.find(id).orElseThrow().status() == JobStatus.COMPLETED));
        assertThat(acceptedWhileDown)
                .as("uploads accepted while RabbitMQ was down")
                .isGreaterThanOrEqualTo(300);
        assertThat(finishedRuns).hasSize(accepted.size());
        assertThat(finishedRuns.entrySet())
                .allSatisfy(e -> assertThat(e.getValue().get())
                        .as("runs of job %s", e.getKey())
                        .isEqualTo(1));
        assertThat(queue.rescued()).as("jobs the safety net had to re-publish").isZero();
        assertThat(outbox.backlog()).isZero();
    }
}
