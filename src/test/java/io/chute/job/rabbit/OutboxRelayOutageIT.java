package io.chute.job.rabbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.zaxxer.hikari.HikariDataSource;
import io.chute.job.Job;
import io.chute.job.Jobs;
import io.chute.support.TcpRelay;
import io.chute.support.TestBroker;
import io.chute.support.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The outbox relay of a node that cannot reach PostgreSQL (through a relay the test cuts) while
 * RabbitMQ is fine says that the database is down, as one WARN, not that it cannot publish to
 * RabbitMQ, and logs no ERROR; once the database is back, what waited in the outbox is published.
 */
@ExtendWith(OutputCaptureExtension.class)
class OutboxRelayOutageIT {

    @RegisterExtension
    static final TestBroker broker = TestBroker.create();

    /** The log levels Chute runs with ({@code logging.level.*} of its application.properties), as a node has them. */
    @BeforeAll
    static void chutesLogLevels() throws IOException {
        Properties app = new Properties();
        try (InputStream in = OutboxRelayOutageIT.class.getResourceAsStream("/application.properties")) {
            app.load(in);
        }
        app.stringPropertyNames().stream()
                .filter(name -> name.startsWith("logging.level."))
                .forEach(name -> ((ch.qos.logback.classic.Logger)
                                LoggerFactory.getLogger(name.substring("logging.level.".length())))
                        .setLevel(Level.toLevel(app.getProperty(name))));
    }

    @Test
    void aDatabaseOutageIsReportedAsSuchNotAsABrokerFailure(CapturedOutput log) {
        try (TestDatabase database = TestDatabase.create();
                TcpRelay cut = TcpRelay.to("127.0.0.1", 5432);
                HikariDataSource viaRelay = new HikariDataSource()) {
            viaRelay.setJdbcUrl(database.jdbcUrl().replaceFirst("//[^/]+/", "//127.0.0.1:" + cut.port() + "/"));
            viaRelay.setUsername(database.user());
            viaRelay.setConnectionTimeout(1_000);
            viaRelay.setMaximumPoolSize(2);
            JdbcClient jdbc = JdbcClient.create(viaRelay);
            TransactionTemplate tx = new TransactionTemplate(new JdbcTransactionManager(viaRelay));
            Jobs jobs = new Jobs(jdbc, JsonMapper.builder().build(), List.of());
            JobOutbox outbox = new JobOutbox(jdbc);
            UUID owner = database.insertUser();
            String type = "relay-" + UUID.randomUUID().toString().substring(0, 8);
            OutboxRelay relay = new OutboxRelay(outbox, tx, broker.broker(), Duration.ofMillis(200));
            relay.start();
            try {
                Job before = submit(tx, jobs, outbox, owner, type);
                await().atMost(Duration.ofSeconds(20)).until(() -> rowsFor(database, before) == 0);

                cut.cut();
                relay.wake();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> log.getOut().contains("Outbox relay cannot read the job outbox"));
                // a few more rounds of failing, still reported once
                await().pollDelay(Duration.ofSeconds(2)).until(() -> true);
                String during = log.getOut();
                assertThat(during).doesNotContain("cannot publish to RabbitMQ");
                assertThat(during.lines().filter(l -> l.contains("Outbox relay cannot read the job outbox")))
                        .hasSize(1);

                cut.restore();
                Job after = submit(tx, jobs, outbox, owner, type);
                relay.wake();
                await().atMost(Duration.ofSeconds(30)).until(() -> rowsFor(database, after) == 0);
                assertThat(log.getOut()).contains("is publishing again");
                assertThat(log.getOut().lines().filter(l -> l.contains(" ERROR ")))
                        .isEmpty();
                // both messages reached the type's queue (the broker's counts lag a little behind)
                await().atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> assertThat(broker.listQueues("name", "messages"))
                                .anySatisfy(q -> {
                                    assertThat(q).containsEntry("name", "chute.jobs." + type);
                                    assertThat(String.valueOf(q.get("messages")))
                                            .isEqualTo("2");
                                }));
            } finally {
                relay.stop();
            }
        }
    }

    private static Job submit(TransactionTemplate tx, Jobs jobs, JobOutbox outbox, UUID owner, String type) {
        return tx.execute(s -> {
            Job job = jobs.insert(Jobs.NewJob.forUpload(owner, null, type, "f.bin", 1, null, null, 3));
            outbox.add(job);
            return job;
        });
    }

    private static long rowsFor(TestDatabase database, Job job) {
        return JdbcClient.create(database.dataSource())
                .sql("select count(*) from job_outbox where job_id = ?")
                .param(job.id().value())
                .query(Long.class)
                .single();
    }
}
