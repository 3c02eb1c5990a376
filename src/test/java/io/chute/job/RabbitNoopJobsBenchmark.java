package io.chute.job;

import io.chute.config.ChuteProperties;
import io.chute.job.postgres.PostgresClaims;
import io.chute.job.rabbit.DeliveryClaims;
import io.chute.job.rabbit.JobOutbox;
import io.chute.job.rabbit.OutboxRelay;
import io.chute.job.rabbit.RabbitJobQueue;
import io.chute.support.BenchResults;
import io.chute.support.JitWarmup;
import io.chute.support.TestBroker;
import io.chute.support.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
 * {@code -Dchute.bench.prefetch=N} sets {@code chute.jobs.rabbitmq.prefetch} (to compare settings).
 *
 * Jobs are dealt round {@code owners} owners with their fair ranks. After each round, the
 * PostgreSQL queue runs as many jobs at the same concurrency ({@link NoopJobsBenchmark}'s engine),
 * so that the two queues are compared under the same load; the ratio RabbitMQ / PostgreSQL queue
 * is recorded with {@link BenchResults}.
 *
 * <p>Not a test: it asserts nothing and prints medians. Needs the machine's PostgreSQL and
 * RabbitMQ (a virtual host of its own, deleted at the end).
 */
public final class RabbitNoopJobsBenchmark {

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int ownerCount = args.length > 3 ? Integer.parseInt(args[3]) : 1;
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
            // the prefetch is derived from the job timeout unless CHUTE_BENCH_PREFETCH sets it
            Integer prefetch = Integer.getInteger("chute.bench.prefetch");
            ChuteProperties.Jobs config = NoopJobsBenchmark.config(concurrency)
                    .withRabbitmq(
                            prefetch == null
                                    ? ChuteProperties.Jobs.Rabbitmq.DEFAULTS
                                    : ChuteProperties.Jobs.Rabbitmq.withPrefetch(prefetch));

            UUID[] owners = NoopJobsBenchmark.owners(jdbc, owner, ownerCount);
            List<Double> baseline = new ArrayList<>();
            List<Double> postgres = new ArrayList<>();
            // why: each RabbitMQ round is followed by a PostgreSQL queue round on as many jobs, so that both see the
            // same load on a shared machine
            List<Double> rates = rounds(
                    new DeliveryClaims(jdbc, jobs),
                    jdbc,
                    jobs,
                    outbox,
                    tx,
                    broker,
                    config,
                    owners,
                    count,
                    rounds,
                    concurrency,
                    baseline,
                    postgres,
                    () -> NoopJobsBenchmark.engine(
                            jdbc,
                            database.dataSource(),
                            jobs,
                            tx,
                            config,
                            owners,
                            count,
                            new PostgresClaims(jdbc, jobs)));
            double r = median(rates);
            double p = median(postgres);
            System.out.printf(
                    "%nno-op jobs through the RabbitMQ queue (status in PostgreSQL): median %.0f jobs/s over %d rounds"
                            + " of %d jobs, concurrency %d, %d owners, prefetch %d; database baseline (bare claim+complete"
                            + " SQL, same threads) %.0f jobs/s%n",
                    r,
                    rounds,
                    count,
                    concurrency,
                    ownerCount,
                    config.rabbitmq().prefetchFor(config.timeoutOf("noop")),
                    median(baseline));
            System.out.printf(
                    "PostgreSQL queue on the same jobs, same concurrency, rounds interleaved: median %.0f jobs/s;"
                            + " RabbitMQ / PostgreSQL queue ratio %.2f%n",
                    p, r / p);
            BenchResults.record(
                    "RabbitMQ queue, no-op jobs, concurrency " + concurrency,
                    r,
                    "jobs/s",
                    "PostgreSQL queue, same jobs and concurrency",
                    p,
                    BenchResults.Target.atLeast(">= 0.80", r / p, 0.80));
        }
    }

    /** A round of the other queue, run after each RabbitMQ round: jobs/s. */
    @FunctionalInterface
    interface Round {
        double run() throws Exception;
    }

    /**
     * A node's relay and consumers with {@code claims}, up for {@code rounds} timed rounds after warm-up ones (until
     * the JIT has settled: {@link JitWarmup}).
     */
    private static List<Double> rounds(
            DeliveryClaims claims,
            JdbcClient jdbc,
            Jobs jobs,
            JobOutbox outbox,
            TransactionTemplate tx,
            TestBroker broker,
            ChuteProperties.Jobs config,
            UUID[] owners,
            int count,
            int rounds,
            int concurrency,
            List<Double> baseline,
            List<Double> other,
            Round otherRound)
            throws Exception {
        AtomicReference<CountDownLatch> done = new AtomicReference<>(new CountDownLatch(0));
        JobRunner runner = new JobRunner(jobs, List.of(new NoopJobHandler()), config, tx) {
            @Override
            public Outcome run(Job job, String traceParent, Runnable handlerReturned) {
                // why: the RabbitMQ queue runs a job with its delivery's trace, through this overload
                Outcome outcome = super.run(job, traceParent, handlerReturned);
                done.get().countDown();
                return outcome;
            }
        };
        OutboxRelay relay = new OutboxRelay(outbox, tx, broker.broker(), Duration.ofSeconds(1));
        RabbitJobQueue queue = new RabbitJobQueue(claims, outbox, relay, broker.broker(), config);
        relay.start();
        runner.attach(queue);
        queue.start(runner);
        warmUpConnections(jobs, tx, queue, owners[0], done);

        List<Double> rates = new ArrayList<>();
        // round -1 warms up (the JIT, PostgreSQL's caches and the quorum queue), repeated until the JIT has settled
        JitWarmup.Round oneRound = round -> {
            double b = NoopJobsBenchmark.baseline(jdbc, owners[0], count, concurrency);
            jdbc.sql("truncate jobs cascade").update();
            CountDownLatch latch = new CountDownLatch(count);
            done.set(latch);
            // messages in the order the jobs were submitted in: dealt round the owners
            tx.executeWithoutResult(s -> {
                NoopJobsBenchmark.insertFair(jdbc, owners, "noop", count);
                jdbc.sql("""
                        insert into job_outbox (job_id, type, priority, run_at)
                        select job_id, type, priority, run_at from jobs where status = 'PENDING'
                        order by fair_rank, job_id""").update();
            });
            long start = System.nanoTime();
            relay.wake();
            // when the relay has published the round's messages: it limits the round if that is near its end
            long relayed = -1;
            while (!latch.await(20, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                if (relayed < 0 && outbox.backlog() == 0) {
                    relayed = System.nanoTime();
                }
            }
            long end = System.nanoTime();
            double rate = count / ((end - start) / 1e9);
            System.out.printf(
                    "round %d: outbox published after %.0f%% of the round%n",
                    round, relayed < 0 ? 100.0 : 100.0 * (relayed - start) / (end - start));
            // the jobs of a round are done; messages of jobs claimed under another's delivery may still come
            jdbc.sql("truncate jobs cascade").update();
            jdbc.sql("vacuum analyze jobs").update();
            jdbc.sql("vacuum analyze job_outbox").update();
            double o = otherRound.run();
            jdbc.sql("truncate jobs cascade").update();
            jdbc.sql("vacuum analyze jobs").update();
            if (round >= 0) {
                rates.add(rate);
                baseline.add(b);
                other.add(o);
            }
            System.out.printf(
                    "round %d: RabbitMQ queue %.0f jobs/s; PostgreSQL queue %.0f jobs/s; database baseline %.0f jobs/s%n",
                    round, rate, o, b);
        };
        JitWarmup.here().run(1, JitWarmup.limit(), n -> oneRound.run(-1));
        for (int round = 0; round < rounds; round++) {
            oneRound.run(round);
        }
        queue.stop(Duration.ofSeconds(5));
        relay.stop();
        runner.close();
        return rates;
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
