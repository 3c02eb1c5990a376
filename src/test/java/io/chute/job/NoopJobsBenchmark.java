package io.chute.job;

import io.chute.config.ChuteProperties;
import io.chute.job.postgres.PostgresClaims;
import io.chute.job.postgres.PostgresJobQueue;
import io.chute.support.BenchResults;
import io.chute.support.JitWarmup;
import io.chute.support.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * No-op jobs per second through the PostgreSQL queue, status kept in PostgreSQL, against a
 * baseline measured in the same run: the same two statements per job (claim, complete) issued
 * straight over JDBC by the same number of threads, with no engine around them.
 *
 * Each round also runs the engine with the claim as it was before fair shares (FIFO within
 * priority, {@link MainClaims}) on the same jobs, spread over {@code owners} owners with their fair
 * ranks, so the cost of fairness is measured in the same run.
 *
 * <p>Rounds run until the JIT has settled ({@link JitWarmup}) before the measured ones.
 *
 * <p>Run with {@code bench/noop-jobs.sh [jobs] [rounds] [concurrency] [owners]}. Not a test: it
 * asserts nothing and prints medians.
 */
public final class NoopJobsBenchmark {

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int ownerCount = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        try (TestDatabase database = TestDatabase.create()) {
            JdbcClient jdbc = JdbcClient.create(database.dataSource());
            Jobs jobs = new Jobs(jdbc, JsonMapper.builder().build(), java.util.List.of());
            TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(database.dataSource()));
            UUID owner = UUID.randomUUID();
            jdbc.sql("insert into users (id, username, password_hash, display_name) values (?, 'bench', 'x', 'Bench')")
                    .param(owner)
                    .update();
            UUID[] owners = owners(jdbc, owner, ownerCount);
            ChuteProperties.Jobs config = config(concurrency);

            List<Double> engine = new ArrayList<>();
            List<Double> withEvents = new ArrayList<>();
            List<Double> baseline = new ArrayList<>();
            List<Double> mainClaim = new ArrayList<>();
            List<JobChanges> observers = new java.util.concurrent.CopyOnWriteArrayList<>();
            Jobs observed = new Jobs(jdbc, JsonMapper.builder().build(), observers, tx);
            // one round: the baseline, the engine with main's claim, the engine, the engine publishing events
            JitWarmup.Round round = n -> {
                double b = baseline(jdbc, owner, count, concurrency);
                double m = engine(
                        jdbc, database.dataSource(), jobs, tx, config, owners, count, MainClaims.postgres(jdbc, jobs));
                double e = engine(
                        jdbc, database.dataSource(), jobs, tx, config, owners, count, new PostgresClaims(jdbc, jobs));
                JobChanges publisher = io.chute.realtime.JobEventsForBenchmarks.publisher(jdbc, observed);
                observers.add(publisher);
                double ev = engine(
                        jdbc,
                        database.dataSource(),
                        observed,
                        tx,
                        config,
                        owners,
                        count,
                        new PostgresClaims(jdbc, observed));
                observers.clear();
                if (n >= 0) {
                    baseline.add(b);
                    engine.add(e);
                    withEvents.add(ev);
                    mainClaim.add(m);
                }
                System.out.printf(
                        "%s: engine %.0f jobs/s, main's claim %.0f jobs/s, with job.updated events %.0f jobs/s,"
                                + " baseline %.0f jobs/s%n",
                        n >= 0 ? "round " + (n + 1) : "warm-up", e, m, ev, b);
                jdbc.sql("truncate jobs cascade").update();
                jdbc.sql("truncate events").update();
                jdbc.sql("vacuum analyze jobs").update();
            };
            // rounds until the JIT has settled (JIT and PostgreSQL's caches), not counted
            JitWarmup.here().run(1, JitWarmup.limit(), n -> round.run(-1));
            for (int n = 0; n < rounds; n++) {
                round.run(n);
            }
            double e = median(engine);
            double ev = median(withEvents);
            double b = median(baseline);
            double m = median(mainClaim);
            System.out.printf(
                    "%nno-op jobs through the PostgreSQL queue: median %.0f jobs/s over %d rounds of %d jobs,"
                            + " concurrency %d; baseline (bare claim+complete SQL) %.0f jobs/s; ratio %.2f%n",
                    e, rounds, count, concurrency, b, e / b);
            System.out.printf(
                    "with job.updated events published (replay log + bus): median %.0f jobs/s, ratio %.2f to the"
                            + " baseline, %.2f to the engine without events%n",
                    ev, ev / b, ev / e);
            // the design's target is set at concurrency 32
            BenchResults.Target target = concurrency == 32
                    ? BenchResults.Target.atLeast(">= 10,000 jobs/s", e, 10_000)
                    : BenchResults.Target.NONE;
            BenchResults.record(
                    "PostgreSQL queue, no-op jobs, concurrency " + concurrency,
                    e,
                    "jobs/s",
                    "bare claim+complete SQL, same threads",
                    b,
                    target);
            BenchResults.record(
                    "PostgreSQL queue, no-op jobs with job.updated events, concurrency " + concurrency,
                    ev,
                    "jobs/s",
                    "same queue without events",
                    e,
                    BenchResults.Target.NONE);
            System.out.printf(
                    "fair claim, %d owners, median: %.0f jobs/s; main's claim (FIFO within priority) on the same jobs,"
                            + " median: %.0f jobs/s; ratio %.2f%n",
                    ownerCount, e, m, e / m);
            BenchResults.record(
                    "PostgreSQL queue, fair claim with " + ownerCount + " owners, concurrency " + concurrency,
                    e,
                    "jobs/s",
                    "FIFO claim (before fairness), same jobs",
                    m,
                    BenchResults.Target.NONE);
        }
    }

    /** One round of the PostgreSQL queue on {@code count} fresh jobs dealt round {@code owners}: jobs/s. */
    static double engine(
            JdbcClient jdbc,
            javax.sql.DataSource dataSource,
            Jobs jobs,
            TransactionTemplate tx,
            ChuteProperties.Jobs config,
            UUID[] owners,
            int count,
            PostgresClaims claims)
            throws InterruptedException {
        insertFair(jdbc, owners, "noop", count);
        CountDownLatch done = new CountDownLatch(count);
        JobHandler noop = new NoopJobHandler();
        JobRunner runner = new JobRunner(jobs, List.of(noop), config, tx) {
            @Override
            public Outcome run(Job job, String traceParent, Runnable handlerReturned) {
                // why: both queues run a job through this overload
                Outcome outcome = super.run(job, traceParent, handlerReturned);
                done.countDown();
                return outcome;
            }
        };
        JobQueue queue = new PostgresJobQueue(claims, dataSource, config);
        long start = System.nanoTime();
        queue.start(runner);
        done.await();
        double seconds = (System.nanoTime() - start) / 1e9;
        queue.stop(Duration.ofSeconds(5));
        return count / seconds;
    }

    /** The bare claim and complete statements, {@code threads} at a time, on {@code count} fresh rows: the database's own ceiling. */
    static double baseline(JdbcClient jdbc, UUID owner, int count, int threads) throws Exception {
        insert(jdbc, owner, "bare", count);
        AtomicInteger left = new AtomicInteger(count);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                while (left.get() > 0) {
                    UUID id = jdbc.sql("""
                            update jobs set status = 'PROCESSING', attempts = attempts + 1, lease_owner = 'bare',
                                   heartbeat_at = now(), version = version + 1
                            where job_id = (select job_id from jobs where status = 'PENDING' and type = 'bare'
                                            order by priority desc, run_at limit 1 for update skip locked)
                            returning job_id""").query(UUID.class).optional().orElse(null);
                    if (id == null) {
                        continue;
                    }
                    jdbc.sql(
                                    "update jobs set status = 'COMPLETED', completed_at = now(), version = version + 1 where job_id = ?")
                            .param(id)
                            .update();
                    left.decrementAndGet();
                }
                return null;
            }));
        }
        for (var f : futures) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        return count / seconds;
    }

    private static void insert(JdbcClient jdbc, UUID owner, String type, int count) {
        jdbc.sql("""
                insert into jobs (job_id, owner_id, type, status, max_attempts)
                select gen_random_uuid(), ?, ?, 'PENDING', 3 from generate_series(1, ?)""").params(owner, type, count).update();
        jdbc.sql("analyze jobs").update();
    }

    /** {@code count} users besides {@code first}, which is one of them. */
    /** The engine's settings for every no-op benchmark: {@code concurrency} workers, a short poll, no per-type limits. */
    static ChuteProperties.Jobs config(int concurrency) {
        return new ChuteProperties.Jobs(
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
    }

    static UUID[] owners(JdbcClient jdbc, UUID first, int count) {
        UUID[] owners = new UUID[count];
        owners[0] = first;
        for (int i = 1; i < count; i++) {
            owners[i] = UUID.randomUUID();
            jdbc.sql("insert into users (id, username, password_hash, display_name) values (?, ?, 'x', 'Bench')")
                    .params(owners[i], "bench-" + i)
                    .update();
        }
        return owners;
    }

    /** {@code count} jobs dealt round the owners in turn, each with its fair rank, as submitting gives them. */
    static void insertFair(JdbcClient jdbc, UUID[] owners, String type, int count) {
        jdbc.sql("""
                insert into jobs (job_id, owner_id, type, status, max_attempts, fair_rank)
                select gen_random_uuid(), o.id, :type, 'PENDING', 3, job_fair_start(:type, o.id, 'INTERACTIVE')
                from generate_series(0, :count - 1) g
                cross join lateral (select (cast(:owners as uuid[]))[1 + g % :n] as id) o
                order by g""")
                .param("type", type)
                .param("count", count)
                .param("owners", owners)
                .param("n", owners.length)
                .update();
        jdbc.sql("analyze jobs").update();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
