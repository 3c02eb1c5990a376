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
