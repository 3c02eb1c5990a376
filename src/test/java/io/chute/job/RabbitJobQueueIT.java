package io.chute.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.config.ChuteProperties;
import io.chute.job.rabbit.DeliveryClaims;
import io.chute.job.rabbit.JobOutbox;
import io.chute.job.rabbit.OutboxRelay;
import io.chute.job.rabbit.RabbitJobQueue;
import io.chute.support.TestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The job-queue contract on the RabbitMQ adapter, against the machine's RabbitMQ (a virtual host
 * of its own) and PostgreSQL; plus the topology it declares, as {@code rabbitmqctl} shows it.
 */
class RabbitJobQueueIT extends JobQueueContract {

    static TestBroker broker;
    private final List<OutboxRelay> relays = new ArrayList<>();

    @BeforeAll
    static void broker() {
        broker = TestBroker.create();
    }

    @AfterAll
    static void deleteVirtualHost() {
        broker.close();
    }

    @AfterEach
    void stopRelays() {
        relays.forEach(OutboxRelay::stop);
    }

    @Override
    JobQueue newQueue(Jobs jobs, DataSource dataSource, ChuteProperties.Jobs config) {
        JobOutbox outbox = new JobOutbox(JdbcClient.create(dataSource));
        // one relay per queue: each stands for a node, so several relay the same outbox at once
        OutboxRelay relay = new OutboxRelay(outbox, tx, broker.broker(), Duration.ofMillis(200));
        relay.start();
        relays.add(relay);
        return new RabbitJobQueue(
                new DeliveryClaims(JdbcClient.create(dataSource), jobs), outbox, relay, broker.broker(), config);
    }

    @Test
    void declaresQuorumWorkQueuesThatDeadLetterAtLeastOnce() {
        String type = uniqueType();
        ChuteProperties.Jobs config = config(2, 3, Duration.ofSeconds(30));
        start(queue(config), config, handler(type, job -> done()));

        Map<String, Object> work = await().atMost(Duration.ofSeconds(20))
                .until(() -> queueNamed("chute.jobs." + type), Optional::isPresent)
                .orElseThrow();
        assertThat(work).containsEntry("type", "quorum");
        assertThat(arguments(work))
                .containsEntry("x-queue-type", "quorum")
                .containsEntry("x-dead-letter-exchange", "chute.jobs.dlx")
                .containsEntry("x-dead-letter-strategy", "at-least-once")
                .containsEntry("x-overflow", "reject-publish");

        Map<String, Object> delay = queueNamed("chute.jobs.delay.640").orElseThrow();
        assertThat(delay).containsEntry("type", "quorum");
        assertThat(arguments(delay))
                .containsEntry("x-dead-letter-exchange", "chute.jobs")
                .containsEntry("x-dead-letter-strategy", "at-least-once")
                .containsEntry("x-message-ttl", 640)
                .doesNotContainKey("x-dead-letter-routing-key");

        assertThat(queueNamed("chute.jobs.dead"))
                .hasValueSatisfying(dead -> assertThat(dead).containsEntry("type", "quorum"));
    }

    @Test
    void aFailedJobAlsoLandsInTheDeadLetterQueue() {
        String type = uniqueType();
        ChuteProperties.Jobs config = config(1, 3, Duration.ofSeconds(30));
        JobQueue queue = queue(config);
        start(queue, config, handler(type, job -> {
            throw new IllegalStateException("broken for good");
        }));
        long before = deadMessages();

        Job failed = awaitStatus(submit(queue, aJob(type)), JobStatus.FAILED);

        assertThat(failed.attempts()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(10)).until(() -> deadMessages() > before);
    }

    @Test
    void aTypeWhoseQueueCannotBeDeclaredDoesNotHoldUpTheOthers() throws Exception {
        String blocked = uniqueType();
        String other = uniqueType();
        // someone declared the blocked type's queue by hand, as a classic queue: Chute's declaration fails
        try (var connection = broker.connectionFactory().newConnection();
                var channel = connection.createChannel()) {
            channel.queueDeclare("chute.jobs." + blocked, true, false, false, Map.of());
        }
        JdbcClient jdbc = JdbcClient.create(database.dataSource());
        tx.executeWithoutResult(s -> {
            jdbc.sql("""
                    insert into jobs (job_id, owner_id, type, status, max_attempts)
                    select gen_random_uuid(), ?, ?, 'PENDING', 3 from generate_series(1, ?)""").params(owner, blocked, OutboxRelay.BATCH + 100).update();
            jdbc.sql("insert into job_outbox (job_id, type) select job_id, type from jobs where type = ?")
                    .param(blocked)
                    .update();
        });
        ChuteProperties.Jobs config = config(1, 3, Duration.ofSeconds(30));
        JobQueue queue = queue(config);
        // this node serves both: the blocked type's consumers wait, the other type's run
        start(queue, config, handler(other, job -> done()), handler(blocked, job -> done()));

        awaitStatus(submit(queue, aJob(other)), JobStatus.COMPLETED);

        assertThat(jdbc.sql("select count(*) from job_outbox where type = ?")
                        .param(blocked)
                        .query(Long.class)
                        .single())
                .as("the blocked type's messages wait in the outbox")
                .isEqualTo(OutboxRelay.BATCH + 100);
        jdbc.sql("delete from job_outbox where type = ?").param(blocked).update();
    }

    @Test
    void aBatchOfDeliveriesClaimsEachJobOnceAndADeliveredAgainBatchClaimsNothing() {
        String type = uniqueType();
        List<JobId> delivered = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            delivered.add(waiting(aJob(type)).id());
        }
        delivered.add(delivered.getFirst()); // the same message twice in one batch
        JdbcClient jdbc = JdbcClient.create(database.dataSource());
        DeliveryClaims claims = new DeliveryClaims(jdbc, jobs);
        long outboxBefore = outboxRows(jdbc, type);

        Map<JobId, Job> claimed = claims.claimDelivered(delivered, type, "worker-a");

        assertThat(claimed).hasSize(4);
        claimed.forEach((deliveredId, job) -> assertThat(job.id()).isEqualTo(deliveredId));
        assertThat(claimed.values()).allSatisfy(job -> assertThat(job.status()).isEqualTo(JobStatus.PROCESSING));
        assertThat(outboxRows(jdbc, type)).as("no job was left waiting").isEqualTo(outboxBefore);
        // the broker delivers the whole batch again (the node holding it lost its connection)
        assertThat(claims.claimDelivered(delivered, type, "worker-b")).isEmpty();
        assertThat(jdbc.sql("select count(*) from jobs where type = ? and attempts = 1 and lease_owner = 'worker-a'")
                        .param(type)
                        .query(Long.class)
                        .single())
                .isEqualTo(4);
    }

    @Test
    void aBatchTakesMoreUrgentJobsInPlaceOfTheDeliveredOnesWhichGetFreshMessages() {
        String type = uniqueType();
        Job low1 = waiting(aJob(type));
        waiting(aJob(type));
        Job low3 = waiting(aJob(type));
        Job low4 = waiting(aJob(type));
        Job urgent = waiting(aJob(type).withPriority(5));
        JdbcClient jdbc = JdbcClient.create(database.dataSource());
        long outboxBefore = outboxRows(jdbc, type);

        Map<JobId, Job> claimed =
                new DeliveryClaims(jdbc, jobs).claimDelivered(List.of(low4.id(), low3.id()), type, "w");

        // the fairest two are the urgent job and the oldest one; the delivered two are more than a round behind
        assertThat(claimed).containsOnlyKeys(low3.id(), low4.id());
        assertThat(claimed.get(low3.id()).id()).isEqualTo(urgent.id());
        assertThat(claimed.get(low4.id()).id()).isEqualTo(low1.id());
        assertThat(jobs.find(low3.id()).orElseThrow().status()).isEqualTo(JobStatus.PENDING);
        assertThat(jobs.find(low4.id()).orElseThrow().status()).isEqualTo(JobStatus.PENDING);
        assertThat(outboxRows(jdbc, type)).as("both wait with fresh messages").isEqualTo(outboxBefore + 2);
    }

    @Test
    void aConnectionLostWhileHoldingPrefetchedDeliveriesLosesNoJobAndRunsNoneTwice() throws Exception {
        String type = uniqueType();
        ChuteProperties.Jobs config = config(1, 3, Duration.ofSeconds(30));
        int prefetch = config.rabbitmq().prefetchFor(config.timeoutOf(type));
        assertThat(prefetch).isGreaterThan(1);
        Map<JobId, Integer> runs = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        JobQueue queue = queue(config);
        start(queue, config, handler(type, job -> {
            runs.merge(job.id(), 1, Integer::sum);
            release.await();
            return done();
        }));
        List<Job> submitted = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            submitted.add(submit(queue, aJob(type)));
        }
        // one job runs on the only slot; the node holds the next deliveries, prefetched and unacknowledged
        await().atMost(Duration.ofSeconds(20))
                .until(() -> unacknowledged("chute.jobs." + type) >= Math.min(prefetch, submitted.size()));

        closeConsumerConnections();
        release.countDown();

        for (Job job : submitted) {
            awaitStatus(job, JobStatus.COMPLETED);
        }
        assertThat(runs)
                .hasSize(8)
                .allSatisfy((id, n) -> assertThat(n).as("runs of %s", id).isEqualTo(1));
    }

    /** A job that waits, with no message anywhere: the claims under test stand for its deliveries. */
    private static Job waiting(Jobs.NewJob job) {
        return tx.execute(s -> jobs.insert(job));
    }

    private static long outboxRows(JdbcClient jdbc, String type) {
        return jdbc.sql("select count(*) from job_outbox where type = ?")
                .param(type)
                .query(Long.class)
                .single();
    }

    private static long unacknowledged(String queue) {
        return broker.listQueues("name", "messages_unacknowledged").stream()
                .filter(q -> queue.equals(q.get("name")))
                .mapToLong(q -> ((Number) q.get("messages_unacknowledged")).longValue())
                .sum();
    }

    /** The broker drops the job consumers' connections of this test's virtual host, as when a network link fails. */
    private static void closeConsumerConnections() {
        String listing = TestBroker.rabbitmqctl("-q", "list_connections", "pid", "vhost", "client_properties");
        List<String> pids = listing.lines()
                .filter(line -> line.contains(broker.vhost()) && line.contains("chute-jobs"))
                .map(line -> line.split("\\s+")[0])
                .toList();
        assertThat(pids).as("the consumer connection").isNotEmpty();
        pids.forEach(pid -> TestBroker.rabbitmqctl("close_connection", pid, "test: link lost"));
    }

    private static long deadMessages() {
        return broker.listQueues("name", "messages").stream()
                .filter(q -> "chute.jobs.dead".equals(q.get("name")))
                .mapToLong(q -> ((Number) q.get("messages")).longValue())
                .sum();
    }

    private static Optional<Map<String, Object>> queueNamed(String name) {
        return broker.listQueues("name", "type", "arguments").stream()
                .filter(q -> name.equals(q.get("name")))
                .findFirst();
    }

    /** {@code rabbitmqctl} prints a queue's arguments as a JSON object, or as [name, value] pairs on some versions. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> arguments(Map<String, Object> queue) {
        Object args = queue.get("arguments");
        if (args instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        Map<String, Object> flat = new java.util.HashMap<>();
        for (Object pair : (List<Object>) args) {
            List<Object> kv = (List<Object>) pair;
            flat.put(String.valueOf(kv.get(0)), kv.get(kv.size() - 1));
        }
        return flat;
    }
}
