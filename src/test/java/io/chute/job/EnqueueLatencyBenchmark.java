package io.chute.job;

import io.chute.config.ChuteProperties;
import io.chute.job.postgres.PostgresClaims;
import io.chute.job.postgres.PostgresJobQueue;
import io.chute.job.rabbit.DeliveryClaims;
import io.chute.job.rabbit.JobOutbox;
import io.chute.job.rabbit.OutboxRelay;
import io.chute.job.rabbit.RabbitJobQueue;
import io.chute.support.TestBroker;
import io.chute.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Enqueue-to-start latency at a steady rate, on both transports: an open loop submits no-op jobs
 * at {@code rate} per second (each in its own transaction, as an upload's {@code complete} does,
 * dealt round {@code owners} owners), whatever the workers are doing; a job's latency is its
 * {@code started_at} (the claim that moved it to PROCESSING) minus its {@code created_at} (the
 * submitting transaction), both on the database's clock. The first {@code warm-up} seconds of
 * each round are left out. Each transport runs with the claim as it was before fair shares
 * ({@link MainClaims}) and with the fair one, in the same run; the medians over the rounds of p50
 * and p99 are printed, and appended as JSON lines to {@code $CHUTE_BENCH_RESULTS} when it is set.
 *
 * <p>Run with {@code bench/enqueue-latency.sh [rate] [seconds] [rounds] [owners] [concurrency]}. Not
 * a test: it asserts nothing.
 */
public final class EnqueueLatencyBenchmark {

    private static final int WARM_UP_SECONDS = 3;

    record Figures(double p50, double p99, double achievedRate) {}

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int ownerCount = args.length > 3 ? Integer.parseInt(args[3]) : 50;
        int concurrency = args.length > 4 ? Integer.parseInt(args[4]) : 8;
        try (TestDatabase database = TestDatabase.create();
                TestBroker broker = TestBroker.create()) {
            DataSource dataSource = database.dataSource();
            JdbcClient jdbc = JdbcClient.create(dataSource);
            Jobs jobs = new Jobs(
                    jdbc, tools.jackson.databind.json.JsonMapper.builder().build(), List.of());
            TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
            UUID first = UUID.randomUUID();
            jdbc.sql("insert into users (id, username, password_hash, display_name) values (?, 'bench', 'x', 'Bench')")
                    .param(first)
                    .update();
            UUID[] owners = NoopJobsBenchmark.owners(jdbc, first, ownerCount);
            ChuteProperties.Jobs config = NoopJobsBenchmark.config(concurrency);
            Function<DeliveryClaims, Transport> rabbit = claims -> {
                JobOutbox outbox = new JobOutbox(jdbc);
                OutboxRelay relay = new OutboxRelay(outbox, tx, broker.broker(), Duration.ofSeconds(1));
                relay.start();
                return new Transport(new RabbitJobQueue(claims, outbox, relay, broker.broker(), config), relay::stop);
            };
            Function<PostgresClaims, Transport> postgres =
                    claims -> new Transport(new PostgresJobQueue(claims, dataSource, config), () -> {});

            List<String> lines = new ArrayList<>();
            for (String transport : List.of("postgres", "rabbitmq")) {
                Figures main = measure(
                        transport + ", main's claim",
                        "postgres".equals(transport)
                                ? postgres.apply(MainClaims.postgres(jdbc, jobs))
                                : rabbit.apply(MainClaims.rabbit(jdbc, jobs)),
                        jdbc,
                        jobs,
                        tx,
                        config,
                        owners,
                        rate,
                        seconds,
                        rounds);
                Figures fair = measure(
                        transport + ", fair claim",
                        "postgres".equals(transport)
                                ? postgres.apply(new PostgresClaims(jdbc, jobs))
                                : rabbit.apply(new DeliveryClaims(jdbc, jobs)),
                        jdbc,
                        jobs,
                        tx,
                        config,
                        owners,
                        rate,
                        seconds,
                        rounds);
                System.out.printf(
                        Locale.ROOT,
                        "%s at %d jobs/s (%d owners, concurrency %d): enqueue-to-start p50 %.1f ms, p99 %.1f ms;"
                                + " main's claim p50 %.1f ms, p99 %.1f ms%n",
                        transport,
                        rate,
                        ownerCount,
                        concurrency,
                        fair.p50(),
                        fair.p99(),
                        main.p50(),
                        main.p99());
                lines.add(result("enqueue-latency." + transport + ".p50", fair.p50(), main.p50()));
                lines.add(result("enqueue-latency." + transport + ".p99", fair.p99(), main.p99()));
            }
            String file = System.getenv("CHUTE_BENCH_RESULTS");
            if (file != null && !file.isBlank()) {
                Files.writeString(
                        Path.of(file),
                        String.join("\n", lines) + "\n",
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
        }
    }

    /** A queue and what else must stop with it. */
    record Transport(JobQueue queue, Runnable stopAlso) {}

    private static Figures measure(
            String name,
            Transport transport,
            JdbcClient jdbc,
            Jobs jobs,
            TransactionTemplate tx,
            ChuteProperties.Jobs config,
            UUID[] owners,
            int rate,
            int seconds,
            int rounds)
            throws Exception {
        JobRunner runner = new JobRunner(jobs, List.of(new NoopJobHandler()), config, tx);
        runner.attach(transport.queue());
        transport.queue().start(runner);
        List<Double> p50 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        List<Double> achieved = new ArrayList<>();
        try {
            for (int round = 0; round < rounds; round++) {
                jdbc.sql("truncate jobs cascade").update();
                jdbc.sql("vacuum analyze jobs").update();
                double sent = submitSteadily(jobs, tx, transport.queue(), owners, rate, seconds);
                Figures f = await(jdbc, seconds * rate);
                p50.add(f.p50());
                p99.add(f.p99());
                achieved.add(sent);
                System.out.printf(
                        Locale.ROOT,
                        "%s, round %d: submitted %.0f jobs/s; enqueue-to-start p50 %.1f ms, p99 %.1f ms%n",
                        name,
                        round + 1,
                        sent,
                        f.p50(),
                        f.p99());
            }
        } finally {
            transport.queue().stop(Duration.ofSeconds(5));
            transport.stopAlso().run();
            runner.close();
        }
        return new Figures(median(p50), median(p99), median(achieved));
    }

    /** The open loop: job i is due at start + i / rate, submitted then on one of a few threads whatever the workers do. */
    private static double submitSteadily(
            Jobs jobs, TransactionTemplate tx, JobQueue queue, UUID[] owners, int rate, int seconds)
            throws InterruptedException {
        int total = rate * seconds;
        ExecutorService submitters = Executors.newFixedThreadPool(16);
        AtomicLong last = new AtomicLong();
        long start = System.nanoTime();
        long every = TimeUnit.SECONDS.toNanos(1) / rate;
        for (int i = 0; i < total; i++) {
            long due = start + i * every;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            UUID owner = owners[i % owners.length];
            submitters.execute(() -> {
                tx.executeWithoutResult(s -> queue.submitted(
                        jobs.insert(Jobs.NewJob.forUpload(owner, null, "noop", "latency", 0, null, null, 3))));
                last.accumulateAndGet(System.nanoTime(), Math::max);
            });
        }
        submitters.shutdown();
        submitters.awaitTermination(1, TimeUnit.MINUTES);
        return total / ((last.get() - start) / 1e9);
    }

    /** Waits until every job of the round has started, then reads the latencies past the warm-up. */
    private static Figures await(JdbcClient jdbc, int total) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (jdbc.sql("select count(*) from jobs where started_at is not null")
                                .query(Long.class)
                                .single()
                        < total
                && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(200);
        }
        return jdbc.sql("""
                with first as (select min(created_at) as t from jobs)
                select percentile_cont(0.5) within group (order by ms) as p50,
                       percentile_cont(0.99) within group (order by ms) as p99
                from (select extract(epoch from (j.started_at - j.created_at)) * 1000 as ms
                      from jobs j, first f
                      where j.started_at is not null and j.created_at >= f.t + make_interval(secs => ?)) l""")
                .param(WARM_UP_SECONDS)
                .query((rs, n) -> new Figures(rs.getDouble("p50"), rs.getDouble("p99"), 0))
                .single();
    }

    private static String result(String name, double value, double baseline) {
        return String.format(
                Locale.ROOT,
                "{\"name\":\"%s\",\"value\":%.2f,\"unit\":\"ms\",\"baseline\":\"main's claim (FIFO within priority),"
                        + " same run\",\"baselineValue\":%.2f,\"ratio\":%.3f,\"target\":null,\"met\":null}",
                name,
                value,
                baseline,
                baseline > 0 ? value / baseline : 0);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private EnqueueLatencyBenchmark() {}
}
