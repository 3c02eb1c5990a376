package io.chute.job;

import io.chute.config.ChuteProperties;
import io.chute.job.rabbit.DeliveryClaims;
import io.chute.job.rabbit.JobOutbox;
import io.chute.job.rabbit.OutboxRelay;
import io.chute.job.rabbit.RabbitJobQueue;
import io.chute.support.TestBroker;
import io.chute.support.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * No-op jobs per second through the RabbitMQ queue, status kept in PostgreSQL: each round
 * commits {@code jobs} job rows with their outbox rows in one transaction, then times the
 * relay publishing them with confirms and the consumers claiming, completing and
 * acknowledging every one. The relay and consumers stay up across rounds, as on a running
 * node. Each round also measures the database's own ceiling, the PostgreSQL benchmark's bare
 * claim+complete SQL with as many threads. The broker's ceiling, RabbitMQ's own PerfTest on the
 * same machine, is measured by {@code bench/noop-jobs-rabbitmq.sh}, which runs this first.
 *
 * <p>Not a test: it asserts nothing and prints medians. Needs the machine's PostgreSQL and
 * RabbitMQ (a virtual host of its own, deleted at the end).
 */
public final class RabbitNoopJobsBenchmark {

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        try (TestDatabase database = TestDatabase.create();
                TestBroker broker = TestBroker.create()) {
            JdbcClient jdbc = JdbcClient.create(database.dataSource());
            Jobs jobs = new Jobs(jdbc, JsonMapper.builder().build(), java.util.List.of());
            JobOutbox outbox = new JobOutbox(jdbc);
            TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(database.dataSource()));
            UUID owner = UUID.randomUUID();
            jdbc.sql("insert into users (id, username, password_hash, display_name) values (?, 'bench', 'x', 'Bench')")
                    .param(owner)
                    .update();
            ChuteProperties.Jobs config = new ChuteProperties.Jobs(
                    3,
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(30),
                    1_000_000,
                    concurrency,
                    concurrency,
                    Duration.ofMillis(200),
                    Duration.ofMinutes(1),
                    Duration.ofSeconds(10),
                    Map.of(),
                    3);

            AtomicReference<CountDownLatch> done = new AtomicReference<>(new CountDownLatch(0));
            JobRunner runner = new JobRunner(jobs, List.of(new NoopJobHandler()), config, tx) {
                @Override
                public Outcome run(Job job) {
                    Outcome outcome = super.run(job);
                    done.get().countDown();
                    return outcome;
                }
            };
            OutboxRelay relay = new OutboxRelay(outbox, tx, broker.broker(), Duration.ofSeconds(1));
            RabbitJobQueue queue =
                    new RabbitJobQueue(new DeliveryClaims(jdbc, jobs), outbox, relay, broker.broker(), config);
            relay.start();
            runner.attach(queue);
            queue.start(runner);
            warmUpConnections(jobs, tx, queue, owner, done);

            List<Double> rates = new ArrayList<>();
            List<Double> baseline = new ArrayList<>();
            for (int round = 0; round <= rounds; round++) {
                double b = NoopJobsBenchmark.baseline(jdbc, owner, count, concurrency);
                jdbc.sql("truncate jobs cascade").update();
                CountDownLatch latch = new CountDownLatch(count);
                done.set(latch);
                tx.executeWithoutResult(s -> {
                    jdbc.sql("""
                            insert into jobs (job_id, owner_id, type, status, max_attempts)
                            select gen_random_uuid(), ?, 'noop', 'PENDING', 3 from generate_series(1, ?)""").params(owner, count).update();
                    jdbc.sql("""
                            insert into job_outbox (job_id, type, priority, run_at)
                            select job_id, type, priority, run_at from jobs where status = 'PENDING' order by created_at""").update();
                });
                long start = System.nanoTime();
                relay.wake();
                latch.await();
                double rate = count / ((System.nanoTime() - start) / 1e9);
                if (round > 0) { // round 0 warms up the JIT, PostgreSQL's caches and the quorum queue
                    rates.add(rate);
                    baseline.add(b);
                }
                System.out.printf("round %d: %.0f jobs/s; database baseline %.0f jobs/s%n", round, rate, b);
                jdbc.sql("truncate jobs cascade").update();
                jdbc.sql("vacuum analyze jobs").update();
                jdbc.sql("vacuum analyze job_outbox").update();
            }
            queue.stop(Duration.ofSeconds(5));
            relay.stop();
            System.out.printf(
                    "%nno-op jobs through the RabbitMQ queue (status in PostgreSQL): median %.0f jobs/s over %d rounds"
                            + " of %d jobs, concurrency %d; database baseline (bare claim+complete SQL, same threads) %.0f jobs/s%n",
                    median(rates), rounds, count, concurrency, median(baseline));
        }
    }

    /** One job end to end, so that the timed rounds do not include connecting and declaring. */
    private static void warmUpConnections(
            Jobs jobs, TransactionTemplate tx, JobQueue queue, UUID owner, AtomicReference<CountDownLatch> done)
            throws InterruptedException {
        CountDownLatch one = new CountDownLatch(1);
        done.set(one);
        tx.executeWithoutResult(s ->
                queue.submitted(jobs.insert(Jobs.NewJob.forUpload(owner, null, "noop", "warm-up", 0, null, null, 3))));
        one.await();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
