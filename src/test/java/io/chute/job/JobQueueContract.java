package io.chute.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.config.ChuteProperties;
import io.chute.job.postgres.PostgresClaims;
import io.chute.job.rabbit.DeliveryClaims;
import io.chute.support.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * What every {@link JobQueue} adapter must do, together with the {@link JobRunner}: each
 * subclass supplies its adapter. Runs on a fresh database of the machine's PostgreSQL; job
 * handlers are lambdas (a one-method port gets a lambda fake).
 */
abstract class JobQueueContract {

    static final Duration BACKOFF = Duration.ofMillis(300);
    static final Duration LEASE = Duration.ofSeconds(2);

    static TestDatabase database;
    static Jobs jobs;
    static TransactionTemplate tx;
    static UUID owner;

    private final List<JobQueue> started = new ArrayList<>();
    private final List<JobRunner> runners = new ArrayList<>();

    /** The adapter under test, not started yet. */
    abstract JobQueue newQueue(Jobs jobs, DataSource dataSource, ChuteProperties.Jobs config);

    @BeforeAll
    static void database() {
        database = TestDatabase.create();
        JdbcClient jdbc = JdbcClient.create(database.dataSource());
        jobs = new Jobs(jdbc, JsonMapper.builder().build(), java.util.List.of());
        tx = new TransactionTemplate(new DataSourceTransactionManager(database.dataSource()));
        owner = database.insertUser();
    }

    @AfterAll
    static void dropDatabase() {
        database.close();
    }

    @AfterEach
    void stopQueues() {
        started.forEach(q -> q.stop(Duration.ofSeconds(5)));
        runners.forEach(JobRunner::close);
    }

    // --- fixtures ---------------------------------------------------------------------------

    static ChuteProperties.Jobs config(int concurrency, int maxAttempts, Duration timeout) {
        return new ChuteProperties.Jobs(
                maxAttempts,
                BACKOFF,
                LEASE,
                10_000,
                concurrency,
                concurrency,
                Duration.ofMillis(500),
                timeout,
                Duration.ofSeconds(5),
                Map.of(),
                3);
    }

    static String uniqueType() {
        return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    static JobHandler handler(String type, Handling handling) {
        return new JobHandler() {
            @Override
            public Set<String> types() {
                return Set.of(type);
            }

            @Override
            public Result handle(Job job, Progress progress) throws Exception {
                return handling.handle(job);
            }
        };
    }

    @FunctionalInterface
    interface Handling {
        JobHandler.Result handle(Job job) throws Exception;
    }

    static JobHandler.Result done() {
        return new JobHandler.Result(Map.of(), Map.of());
    }

    static Jobs.NewJob aJob(String type) {
        return new Jobs.NewJob(
                owner, null, type, 0, "file.bin", 10L, "application/octet-stream", null, 3, null, null, Map.of());
    }

    /** Inserts and submits jobs in one transaction, as the API does. */
    Job submit(JobQueue queue, Jobs.NewJob newJob) {
        return tx.execute(s -> {
            Job job = jobs.insert(newJob);
            queue.submitted(job);
            return job;
        });
    }

    /**
     * Inserts and submits a parent and its children in one transaction, as a caller must: a
     * parent committed alone is runnable before its children exist.
     */
    List<Job> submitFamily(JobQueue queue, Jobs.NewJob parent, Jobs.NewJob... children) {
        return tx.execute(s -> {
            List<Job> family = new ArrayList<>();
            Job p = jobs.insert(parent);
            family.add(p);
            for (Jobs.NewJob child : children) {
                family.add(jobs.insert(child.withParent(p.id())));
            }
            family.forEach(queue::submitted);
            return family;
        });
    }

    /** Starts a queue delivering to a runner with the given handlers. */
    JobRunner start(JobQueue queue, ChuteProperties.Jobs config, JobHandler... handlers) {
        JobRunner runner =
                new JobRunner(jobs, List.of(handlers), config, tx, new JobRates(database.dataSource(), config));
        runner.attach(queue);
        queue.start(runner);
        started.add(queue);
        runners.add(runner);
        return runner;
    }

    JobQueue queue(ChuteProperties.Jobs config) {
        return newQueue(jobs, database.dataSource(), config);
    }

    static Job awaitStatus(Job job, JobStatus status) {
        return await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> jobs.find(job.id()).orElseThrow(), j -> j.status() == status);
    }

    static void awaitAllCompleted(List<Job> submitted) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> submitted.stream()
                        .allMatch(j -> jobs.find(j.id()).orElseThrow().status() == JobStatus.COMPLETED));
    }

    // --- the contract -----------------------------------------------------------------------

    @Test
    void eachJobRunsExactlyOnceUnderConcurrentWorkers() {
        String type = uniqueType();
        Map<JobId, AtomicInteger> runs = new ConcurrentHashMap<>();
        ChuteProperties.Jobs config = config(4, 3, Duration.ofSeconds(30));
        JobQueue first = queue(config);
        JobQueue second = queue(config);
        Handling count = job -> {
            runs.computeIfAbsent(job.id(), k -> new AtomicInteger()).incrementAndGet();
            return done();
        };
        start(first, config, handler(type, count));
        start(second, config, handler(type, count));

        List<Job> submitted = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            submitted.add(submit(i % 2 == 0 ? first : second, aJob(type)));
        }

        awaitAllCompleted(submitted);
        assertThat(runs).hasSize(200);
        assertThat(runs.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
    }

    @Test
    void aNodeNeverRunsMoreJobsAtOnceThanItsSlots() {
        String type = uniqueType();
        ChuteProperties.Jobs config = config(4, 3, Duration.ofSeconds(30));
        JobQueue queue = queue(config);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        start(queue, config, handler(type, job -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            Thread.sleep(20);
            running.decrementAndGet();
            return done();
        }));

        List<Job> submitted = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            submitted.add(submit(queue, aJob(type)));
        }

        awaitAllCompleted(submitted);
        assertThat(most.get()).as("jobs running at once on a node with 4 slots").isBetween(2, 4);
    }

    @Test
    void transientFailuresRetryWithExponentialBackoff() {
        String type = uniqueType();
        List<Instant> attempts = new CopyOnWriteArrayList<>();
        ChuteProperties.Jobs config = config(1, 4, Duration.ofSeconds(30));
        JobQueue queue = queue(config);
        start(queue, config, handler(type, job -> {
            attempts.add(Instant.now());
            if (attempts.size() < 3) {
                throw new IllegalStateException("storage hiccup " + attempts.size());
            }
            return done();
        }));

        Job job = submit(queue, aJob(type).runAt(null));
        Job retrying = await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> jobs.find(job.id()).orElseThrow(), j -> j.status() == JobStatus.RETRYING);
        assertThat(retrying.error()).contains("storage hiccup 1");
        assertThat(retrying.nextRetryAt()).isAfter(retrying.createdAt());

        Job completed = awaitStatus(job, JobStatus.COMPLETED);
        assertThat(completed.attempts()).isEqualTo(3);
        assertThat(completed.error()).isNull();
        Duration firstGap = Duration.between(attempts.get(0), attempts.get(1));
        Duration secondGap = Duration.between(attempts.get(1), attempts.get(2));
        assertThat(firstGap).isGreaterThanOrEqualTo(BACKOFF.multipliedBy(8).dividedBy(10));
        assertThat(secondGap)
                .isGreaterThanOrEqualTo(BACKOFF.multipliedBy(2).multipliedBy(8).dividedBy(10));
    }

    @Test
    void aJobThatKeepsFailingEndsInTheDeadLetterSet() {
        String type = uniqueType();
        AtomicInteger runs = new AtomicInteger();
        ChuteProperties.Jobs config = config(1, 3, Duration.ofSeconds(30));
        JobQueue queue = queue(config);
        start(queue, config, handler(type, job -> {
            runs.incrementAndGet();
            throw new IllegalStateException("always broken");
        }));

        Job job = submit(queue, aJob(type));

        Job failed = awaitStatus(job, JobStatus.FAILED);
        assertThat(failed.attempts()).isEqualTo(3);
        assertThat(failed.error()).contains("always broken");
        assertThat(failed.failedAt()).isNotNull();
        assertThat(runs).hasValue(3);
        assertThat(new JobPages(JdbcClient.create(database.dataSource()), jobs)
                        .listByStatus(JobStatus.FAILED, null, 100)
                        .items())
                .extracting(Job::id)
                .contains(job.id());
    }

    @Test
    void aBadFileIsRejectedAtOnceWithoutRetries() {
        String type = uniqueType();
        AtomicInteger runs = new AtomicInteger();
        ChuteProperties.Jobs config = config(1, 5, Duration.ofSeconds(30));
        JobQueue queue = queue(config);
        start(queue, config, handler(type, job -> {
            runs.incrementAndGet();
            throw new PermanentJobFailure("not an image");
        }));

        Job rejected = awaitStatus(submit(queue, aJob(type)), JobStatus.REJECTED);

        assertThat(rejected.attempts()).isEqualTo(1);
        assertThat(rejected.error()).isEqualTo("not an image");
        assertThat(runs).hasValue(1);
    }

    @Test
    void aJobWhoseWorkerDiedIsTakenBackAfterItsLease() {
        String type = uniqueType();
        ChuteProperties.Jobs config = config(1, 3, Duration.ofSeconds(30));
        JobQueue idle = queue(config);
        Job job = submit(idle, aJob(type));
        // a worker that claims and then dies: it never renews its lease
        Job claimed = new PostgresClaims(JdbcClient.create(database.dataSource()), jobs)
                .claim(type, "dead-worker")
                .orElseThrow();
        assertThat(claimed.id()).isEqualTo(job.id());

        JobQueue queue = queue(config);
        JobRunner runner = start(queue, config, handler(type, j -> done()));
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            runner.recoverExpiredLeases();
            return jobs.find(job.id()).orElseThrow().status() == JobStatus.COMPLETED;
        });

        Job completed = jobs.find(job.id()).orElseThrow();
        assertThat(completed.attempts()).isEqualTo(2);
    }

    @Test
    void aStuckJobTimesOutWhileOtherJobsKeepRunning() {
        String slow = uniqueType();
        String fast = uniqueType();
        AtomicInteger slowRuns = new AtomicInteger();
        ChuteProperties.Jobs config = config(1, 2, Duration.ofMillis(700));
        JobQueue queue = queue(config);
        start(
                queue,
                config,
                handler(slow, job -> {
                    if (slowRuns.incrementAndGet() == 1) {
                        Thread.sleep(60_000); // interrupted by the timeout
                    }
                    return done();
                }),
                handler(fast, job -> done()));

        Job stuck = submit(queue, aJob(slow));
        await().until(() -> slowRuns.get() == 1);
        Job other = submit(queue, aJob(fast));

        awaitStatus(other, JobStatus.COMPLETED);
        Job retried = awaitStatus(stuck, JobStatus.COMPLETED);
        assertThat(retried.attempts()).isEqualTo(2);
    }

    @Test
    void cancelledJobsNeverRunAndARunningOneIsInterrupted() throws Exception {
        String type = uniqueType();
        CountDownLatch running = new CountDownLatch(1);
        AtomicInteger interrupted = new AtomicInteger();
        ChuteProperties.Jobs config = config(1, 3, Duration.ofSeconds(30));
        JobQueue queue = queue(config);
        Job waiting = submit(queue, aJob(type).runAt(Instant.now().plusSeconds(2)));
        assertThat(jobs.cancel(waiting.id()))
                .hasValueSatisfying(j -> assertThat(j.status()).isEqualTo(JobStatus.CANCELLED));

        JobRunner runner = start(queue, config, handler(type, job -> {
            running.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw e;
            }
            return done();
        }));
        Job busy = submit(queue, aJob(type));
        assertThat(running.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(jobs.cancel(busy.id())).isPresent();

        // the next heartbeat finds the lease gone and interrupts the handler
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            runner.heartbeat();
            return interrupted.get() == 1;
        });
        assertThat(jobs.find(busy.id()).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(jobs.find(waiting.id()).orElseThrow().attempts()).isZero();
        assertThat(jobs.cancel(busy.id())).as("a second cancel changes nothing").isEmpty();
    }

    @Test
    void higherPriorityRunsFirst() {
        String type = uniqueType();
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        ChuteProperties.Jobs config = config(1, 3, Duration.ofSeconds(30));
        JobQueue queue = queue(config);
        List<Job> all = new ArrayList<>();
        for (int priority : new int[] {0, 10, 5, -3, 7}) {
            all.add(submit(queue, aJob(type).withPriority(priority)));
        }

        start(queue, config, handler(type, job -> {
            order.add(job.priority());
            return done();
        }));

        all.forEach(j -> awaitStatus(j, JobStatus.COMPLETED));
        assertThat(order).containsExactly(10, 7, 5, 0, -3);
    }

    @Test
    void aDelayedJobDoesNotStartBeforeItsTime() {
        String type = uniqueType();
        Map<JobId, Instant> startedAt = new ConcurrentHashMap<>();
        ChuteProperties.Jobs config = config(1, 3, Duration.ofSeconds(30));
        JobQueue queue = queue(config);
        start(queue, config, handler(type, job -> {
            startedAt.put(job.id(), Instant.now());
            return done();
        }));
        Instant due = Instant.now().plusMillis(1500);

        Job delayed = submit(queue, aJob(type).runAt(due));
        Job now = submit(queue, aJob(type));

        awaitStatus(now, JobStatus.COMPLETED);
        awaitStatus(delayed, JobStatus.COMPLETED);
        assertThat(startedAt.get(delayed.id())).isAfterOrEqualTo(due);
        assertThat(startedAt.get(now.id())).isBefore(due);
    }

    @Test
    void aParentWaitsForItsChildrenAndFailsWhenOneIsRejected() {
        String parentType = uniqueType();
        String childType = uniqueType();
        List<JobId> order = new CopyOnWriteArrayList<>();
        ChuteProperties.Jobs config = config(2, 3, Duration.ofSeconds(30));
        JobQueue queue = queue(config);
        start(
                queue,
                config,
                handler(parentType, job -> {
                    order.add(job.id());
                    return done();
                }),
                handler(childType, job -> {
                    if ("bad.bin".equals(job.fileName())) {
                        throw new PermanentJobFailure("corrupt");
                    }
                    Thread.sleep(200);
                    order.add(job.id());
                    return done();
                }));

        List<Job> family = submitFamily(queue, aJob(parentType), aJob(childType), aJob(childType));
        Job parent = family.get(0);
        awaitStatus(parent, JobStatus.COMPLETED);
        assertThat(order)
                .hasSize(3)
                .endsWith(parent.id())
                .contains(family.get(1).id(), family.get(2).id());

        Jobs.NewJob bad =
                new Jobs.NewJob(owner, null, childType, 0, "bad.bin", 1L, null, null, 3, null, null, Map.of());
        Job doomed = submitFamily(queue, aJob(parentType), aJob(childType), bad).get(0);
        Job failed = awaitStatus(doomed, JobStatus.FAILED);
        assertThat(failed.error()).contains("REJECTED");
        assertThat(failed.attempts()).isZero();
    }

    // --- fairness between owners, and lanes --------------------------------------------------

    static Jobs.NewJob aJobOf(UUID owner, String type) {
        return new Jobs.NewJob(
                owner, null, type, 0, "file.bin", 10L, "application/octet-stream", null, 3, null, null, Map.of());
    }

    /** Inserts and submits {@code count} jobs of one owner in one transaction, as a bulk import would. */
    List<Job> submitMany(JobQueue queue, int count, Jobs.NewJob newJob) {
        return tx.execute(s -> {
            List<Job> all = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Job job = jobs.insert(newJob);
                queue.submitted(job);
                all.add(job);
            }
            return all;
        });
    }

    @Test
    void aSingleJobOfAnIdleOwnerOvertakesAnotherOwnersBacklog() throws Exception {
        String type = uniqueType();
        UUID a = database.insertUser();
        UUID b = database.insertUser();
        List<UUID> startedBy = new CopyOnWriteArrayList<>();
        CountDownLatch bSubmitted = new CountDownLatch(1);
        ChuteProperties.Jobs config = config(1, 3, Duration.ofSeconds(30));
        JobQueue queue = queue(config);
        start(queue, config, handler(type, job -> {
            startedBy.add(job.ownerId());
            // the first of A's jobs holds the only slot until B has submitted
            assertThat(bSubmitted.await(30, java.util.concurrent.TimeUnit.SECONDS))
                    .isTrue();
            return done();
        }));

        List<Job> backlog = submitMany(queue, 200, aJobOf(a, type));
        await().atMost(Duration.ofSeconds(20)).until(() -> !startedBy.isEmpty());
        int startedBefore = startedBy.size();
        Job single = submit(queue, aJobOf(b, type));
        bSubmitted.countDown();

        awaitStatus(single, JobStatus.COMPLETED);
        int position = startedBy.indexOf(b);
        assertThat(position - startedBefore)
                .as("A's jobs that started after B submitted and before B's job")
                .isLessThan(2);
        backlog.forEach(j -> awaitStatus(j, JobStatus.COMPLETED));
        assertThat(startedBy).hasSize(201);
    }

    @Test
    void tenOwnersWithABacklogEachTakeTurns() {
        String type = uniqueType();
        List<UUID> owners = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            owners.add(database.insertUser());
        }
        List<UUID> startedBy = new CopyOnWriteArrayList<>();
        ChuteProperties.Jobs config = config(1, 3, Duration.ofSeconds(30));
        JobQueue queue = queue(config);
        List<Job> all = new ArrayList<>();
        for (UUID o : owners) {
            all.addAll(submitMany(queue, 100, aJobOf(o, type)));
        }

        start(queue, config, handler(type, job -> {
            startedBy.add(job.ownerId());
            return done();
        }));

        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> startedBy.size() == all.size());
        // pos.get(o).get(k): where owner o's (k+1)-th job started
        Map<UUID, List<Integer>> pos = new java.util.HashMap<>();
        for (int i = 0; i < startedBy.size(); i++) {
            pos.computeIfAbsent(startedBy.get(i), k -> new ArrayList<>()).add(i);
        }
        assertThat(pos).hasSize(10).allSatisfy((o, p) -> assertThat(p).hasSize(100));
        for (UUID u : owners) {
            for (UUID v : owners) {
                for (int k = 0; k + 2 < 100; k++) {
                    assertThat(pos.get(u).get(k))
                            .as("owner %s's job %d starts before owner %s's job %d", u, k + 1, v, k + 3)
                            .isLessThan(pos.get(v).get(k + 2));
                }
            }
        }
    }

    @Test
    void interactiveWorkRunsFirstAndBulkWorkStillRunsWhileItKeepsArriving() {
        String type = uniqueType();
        List<UUID> interactiveOwners = List.of(database.insertUser(), database.insertUser(), database.insertUser());
        UUID bulkOwner = database.insertUser();
        List<JobLane> startedLanes = new CopyOnWriteArrayList<>();
        AtomicInteger interactiveWaiting = new AtomicInteger(-1);
        java.util.concurrent.atomic.AtomicBoolean bulkDone = new java.util.concurrent.atomic.AtomicBoolean();
        ChuteProperties.Jobs config = config(1, 3, Duration.ofSeconds(30));
        JobQueue queue = queue(config);
        Job bulk = submit(queue, aJobOf(bulkOwner, type).inLane(JobLane.BULK));
        for (UUID o : interactiveOwners) {
            submitMany(queue, 2, aJobOf(o, type));
        }

        start(queue, config, handler(type, job -> {
            if (job.ownerId().equals(bulkOwner)) {
                startedLanes.add(JobLane.BULK);
                interactiveWaiting.set((int) jobs.countWaiting(type));
                bulkDone.set(true);
            } else {
                startedLanes.add(JobLane.INTERACTIVE);
                if (!bulkDone.get()) {
                    // interactive work keeps arriving: every one that runs brings another
                    submit(queue, aJobOf(job.ownerId(), type));
                }
            }
            return done();
        }));

        awaitStatus(bulk, JobStatus.COMPLETED);
        assertThat(startedLanes).first().isEqualTo(JobLane.INTERACTIVE);
        assertThat(startedLanes.indexOf(JobLane.BULK))
                .as("interactive jobs that ran before the bulk one")
                .isGreaterThanOrEqualTo(6);
        assertThat(interactiveWaiting.get())
                .as("interactive jobs still waiting when the bulk one ran")
                .isGreaterThan(0);
    }

    @Test
    void aTypeLimitedToFiveStartsPerSecondNeverStartsFasterOverTwoNodes() {
        String type = uniqueType();
        ChuteProperties.Jobs config = config(4, 3, Duration.ofSeconds(30))
                .withTypes(Map.of(type, new ChuteProperties.Jobs.TypeSettings(null, null, null, null, 5.0, null)));
        List<Long> startedAt = new CopyOnWriteArrayList<>();
        Handling record = job -> {
            startedAt.add(System.nanoTime());
            return done();
        };
        JobQueue first = queue(config);
        JobQueue second = queue(config);
        start(first, config, handler(type, record));
        start(second, config, handler(type, record));

        List<Job> all = submitMany(first, 16, aJob(type));

        all.forEach(j -> awaitStatus(j, JobStatus.COMPLETED));
        List<Long> sorted = startedAt.stream().sorted().toList();
        assertThat(sorted).hasSize(16);
        long interval = Duration.ofMillis(200).toNanos();
        for (int i = 0; i < sorted.size(); i++) {
            for (int j = i + 1; j < sorted.size(); j++) {
                // one interval of slack for the time between taking a start and the handler running
                assertThat(sorted.get(j) - sorted.get(i))
                        .as("starts %d and %d are at least %d intervals of 200 ms apart", i, j, j - i - 1)
                        .isGreaterThanOrEqualTo((j - i - 1) * interval);
            }
        }
    }

    @Test
    void anOwnerAtItsConcurrencyLimitIsPassedOverNotWaitedFor() {
        String type = uniqueType();
        UUID busy = database.insertUser();
        UUID other = database.insertUser();
        ChuteProperties.Jobs config = config(4, 3, Duration.ofSeconds(30))
                .withTypes(Map.of(type, new ChuteProperties.Jobs.TypeSettings(null, null, null, null, null, 2)));
        Map<UUID, AtomicInteger> running = new ConcurrentHashMap<>();
        Map<UUID, AtomicInteger> most = new ConcurrentHashMap<>();
        AtomicInteger mostInAll = new AtomicInteger();
        AtomicInteger inAll = new AtomicInteger();
        JobQueue queue = queue(config);
        List<Job> all = new ArrayList<>(submitMany(queue, 12, aJobOf(busy, type)));
        all.addAll(submitMany(queue, 6, aJobOf(other, type)));

        start(queue, config, handler(type, job -> {
            int now = running.computeIfAbsent(job.ownerId(), k -> new AtomicInteger())
                    .incrementAndGet();
            most.computeIfAbsent(job.ownerId(), k -> new AtomicInteger()).accumulateAndGet(now, Math::max);
            mostInAll.accumulateAndGet(inAll.incrementAndGet(), Math::max);
            Thread.sleep(150);
            inAll.decrementAndGet();
            running.get(job.ownerId()).decrementAndGet();
            return done();
        }));

        all.forEach(j -> awaitStatus(j, JobStatus.COMPLETED));
        assertThat(most.get(busy)).hasValueLessThanOrEqualTo(2);
        assertThat(most.get(other)).hasValueLessThanOrEqualTo(2);
        assertThat(mostInAll).as("both owners ran at once").hasValueGreaterThan(2);
    }

    @Test
    void duplicateDeliveriesAndLateWorkersNeverMoveAJobBackwards() {
        String type = uniqueType();
        AtomicInteger runs = new AtomicInteger();
        ChuteProperties.Jobs config = config(2, 3, Duration.ofSeconds(30));
        JobQueue queue = queue(config);
        start(queue, config, handler(type, job -> {
            runs.incrementAndGet();
            return done();
        }));
        Job job = submit(queue, aJob(type));
        Job completed = awaitStatus(job, JobStatus.COMPLETED);

        // the same job delivered again, and a late worker holding an old claim
        tx.executeWithoutResult(s -> queue.submitted(completed));
        assertThat(new DeliveryClaims(JdbcClient.create(database.dataSource()), jobs)
                        .claimDelivered(job.id(), type, "late-worker"))
                .isEmpty();
        Job staleClaim = new Job(
                completed.id(),
                owner,
                null,
                null,
                type,
                JobStatus.PROCESSING,
                0,
                null,
                null,
                null,
                null,
                Map.of(),
                Map.of(),
                0,
                1,
                3,
                null,
                null,
                null,
                "late-worker",
                completed.version() - 1,
                null,
                null,
                null,
                null,
                null);
        assertThat(jobs.complete(staleClaim, Map.of(), Map.of())).isFalse();
        assertThat(jobs.failAttempt(staleClaim, "late", Instant.now())).isFalse();
        assertThat(jobs.reject(staleClaim, "late")).isFalse();
        assertThat(jobs.release(staleClaim)).isFalse();

        Job after = await().during(Duration.ofMillis(700))
                .atMost(Duration.ofSeconds(5))
                .until(() -> jobs.find(job.id()).orElseThrow(), j -> j.status() == JobStatus.COMPLETED);
        assertThat(after.version()).isEqualTo(completed.version());
        assertThat(runs).hasValue(1);
    }

    @Test
    void failedAndCancelledJobsCanBeRetriedWithFreshAttempts() {
        String type = uniqueType();
        Set<JobId> broken = ConcurrentHashMap.newKeySet();
        ChuteProperties.Jobs config = config(1, 2, Duration.ofSeconds(30));
        JobQueue queue = queue(config);
        start(queue, config, handler(type, job -> {
            if (broken.contains(job.id())) {
                throw new IllegalStateException("down");
            }
            return done();
        }));
        Job job = tx.execute(s -> jobs.insert(aJob(type).runAt(Instant.now().plusSeconds(60))));
        broken.add(job.id());
        assertThat(jobs.retry(job.id())).as("a PENDING job is not retryable").isEmpty();
        tx.executeWithoutResult(s -> jobs.cancel(job.id()));

        broken.clear();
        Job retried = tx.execute(s -> {
            Job j = jobs.retry(job.id()).orElseThrow();
            queue.submitted(j);
            return j;
        });

        assertThat(retried.status()).isEqualTo(JobStatus.PENDING);
        assertThat(awaitStatus(job, JobStatus.COMPLETED).attempts()).isEqualTo(1);
    }

    @Test
    void workerThreadsScaleUpWithDepthAndBackDownWhenDrained() {
        String type = uniqueType();
        ChuteProperties.Jobs config = new ChuteProperties.Jobs(
                3,
                BACKOFF,
                LEASE,
                10_000,
                4,
                1,
                Duration.ofMillis(500),
                Duration.ofSeconds(30),
                Duration.ofSeconds(5),
                Map.of(),
                3);
        JobQueue queue = queue(config);
        List<Job> all = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            all.add(submit(queue, aJob(type)));
        }
        start(queue, config, handler(type, job -> {
            Thread.sleep(50);
            return done();
        }));

        await().atMost(Duration.ofSeconds(20)).until(() -> queue.activeWorkers().get(type) > 1);
        awaitAllCompleted(all);
        await().atMost(Duration.ofSeconds(20)).until(() -> queue.activeWorkers().get(type) == 1);
    }

    @Test
    void shutdownDrainsWithinTheGraceAndReleasesWhatIsStillRunning() throws Exception {
        String type = uniqueType();
        CountDownLatch started = new CountDownLatch(1);
        ChuteProperties.Jobs config = new ChuteProperties.Jobs(
                3,
                BACKOFF,
                LEASE,
                10_000,
                1,
                1,
                Duration.ofMillis(500),
                Duration.ofSeconds(30),
                Duration.ofMillis(500),
                Map.of(),
                3);
        JobQueue queue = queue(config);
        start(queue, config, handler(type, job -> {
            started.countDown();
            Thread.sleep(60_000);
            return done();
        }));
        Job stuck = submit(queue, aJob(type));
        assertThat(started.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        queue.stop(config.shutdownGrace());

        Job released = awaitStatus(stuck, JobStatus.RETRYING);
        assertThat(released.attempts())
                .as("an attempt cut short by shutdown does not count")
                .isZero();
        assertThat(released.leaseOwner()).isNull();
    }
}
