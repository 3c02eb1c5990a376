package io.chute.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.chute.config.ChuteProperties;
import io.chute.job.postgres.PostgresClaims;
import io.chute.support.TcpRelay;
import io.chute.support.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Progress writes are best effort: a job that reports progress while its worker cannot reach
 * PostgreSQL (a relay the test cuts) does not fail its attempt; once the database is back it
 * completes, with its one attempt.
 */
class ProgressOutageIT {

    @Test
    void aProgressWriteThatFailsDoesNotFailTheAttempt() throws Exception {
        try (TestDatabase database = TestDatabase.create();
                TcpRelay relay = TcpRelay.to("127.0.0.1", 5432);
                HikariDataSource viaRelay = new HikariDataSource()) {
            viaRelay.setJdbcUrl(database.jdbcUrl().replaceFirst("//[^/]+/", "//127.0.0.1:" + relay.port() + "/"));
            viaRelay.setUsername(database.user());
            viaRelay.setConnectionTimeout(1_000);
            viaRelay.setMaximumPoolSize(4);
            JdbcClient jdbc = JdbcClient.create(viaRelay);
            Jobs jobs = new Jobs(jdbc, JsonMapper.builder().build(), List.of());
            TransactionTemplate tx = new TransactionTemplate(new JdbcTransactionManager(viaRelay));
            String type = "progress-" + UUID.randomUUID().toString().substring(0, 8);
            CountDownLatch reported = new CountDownLatch(1);
            CountDownLatch cut = new CountDownLatch(1);
            CountDownLatch failedWrite = new CountDownLatch(1);
            CountDownLatch restored = new CountDownLatch(1);
            JobHandler handler = new JobHandler() {
                @Override
                public Set<String> types() {
                    return Set.of(type);
                }

                @Override
                public Result handle(Job job, Progress progress) throws Exception {
                    progress.report(10);
                    reported.countDown();
                    cut.await(10, TimeUnit.SECONDS);
                    progress.report(50); // the database is unreachable now: this write fails
                    failedWrite.countDown();
                    restored.await(10, TimeUnit.SECONDS);
                    return new Result(Map.of(), Map.of());
                }
            };
            ChuteProperties.Jobs config = new Binder(new MapConfigurationPropertySource(
                            Map.of("chute.jobs.concurrency", "1", "chute.jobs.backoff-base", "300ms")))
                    .bindOrCreate("chute", ChuteProperties.class)
                    .jobs();
            try (JobRunner runner = new JobRunner(jobs, List.of(handler), config, tx)) {
                Job inserted = jobs.insert(Jobs.NewJob.forUpload(
                        database.insertUser(), null, type, "f.bin", 1, null, null, config.maxAttempts()));
                Job claimed = new PostgresClaims(jdbc, jobs)
                        .claim(type, runner.workerId())
                        .orElseThrow();
                CompletableFuture<JobRunner.Outcome> outcome =
                        CompletableFuture.supplyAsync(() -> runner.run(claimed, claimed.traceParent(), () -> {}));

                assertThat(reported.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(progressOf(database, inserted)).isEqualTo(10);
                relay.cut();
                cut.countDown();
                assertThat(failedWrite.await(10, TimeUnit.SECONDS)).isTrue();
                relay.restore();
                // the pool drops the connections the cut broke, as it does when they fail validation
                viaRelay.getHikariPoolMXBean().softEvictConnections();
                await().atMost(Duration.ofSeconds(10))
                        .ignoreExceptions()
                        .until(() -> jdbc.sql("select 1").query(Integer.class).single() == 1);
                restored.countDown();

                assertThat(outcome.get(30, TimeUnit.SECONDS)).isEqualTo(JobRunner.Outcome.COMPLETED);
                Job done = jobs.find(inserted.id()).orElseThrow();
                assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
                assertThat(done.attempts()).isEqualTo(1);
                assertThat(done.progress()).isEqualTo(100);
            }
        }
    }

    private static int progressOf(TestDatabase database, Job job) {
        return JdbcClient.create(database.dataSource())
                .sql("select progress from jobs where job_id = ?")
                .param(job.id().value())
                .query(Integer.class)
                .single();
    }
}
