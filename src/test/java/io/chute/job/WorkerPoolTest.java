package io.chute.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.config.ChuteProperties;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    // concurrency 2, one active slot to start with
    private final WorkerPool pool = new WorkerPool(
            "t",
            new ChuteProperties.Jobs(
                    3,
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(30),
                    10_000,
                    2,
                    1,
                    Duration.ofMillis(500),
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(5),
                    Map.of(),
                    3));
    private final CountDownLatch commit = new CountDownLatch(1);
    private final AtomicInteger wakeUps = new AtomicInteger();

    @AfterEach
    void stop() {
        commit.countDown();
        pool.awaitIdle(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void aJobHoldsItsSlotUntilItsHandlerReturnsAndItsThreadUntilItEnds() {
        scaleTo(2);
        assertThat(pool.free()).isEqualTo(2);
        CountDownLatch handlerReturns = new CountDownLatch(1);
        pool.run(
                release -> {
                    awaitQuietly(handlerReturns);
                    release.run();
                    release.run(); // a second release changes nothing
                    awaitQuietly(commit); // the outcome's commit
                },
                wakeUps::incrementAndGet);
        assertThat(pool.free()).isEqualTo(1);

        handlerReturns.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.free() == 2);
        assertThat(wakeUps).hasValue(1);

        commit.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> wakeUps.get() == 2);
        assertThat(pool.free()).isEqualTo(2);
    }

    @Test
    void aJobThatNeverReleasesItsSlotFreesItWhenItEnds() {
        scaleTo(2);
        pool.run(release -> awaitQuietly(commit), wakeUps::incrementAndGet);
        assertThat(pool.free()).isEqualTo(1);

        commit.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.free() == 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> wakeUps.get() == 1);
    }

    @Test
    void noMoreJobsStartThanThereAreThreadsLeftForThem() {
        scaleTo(2);
        // each slot has two threads: four jobs whose handlers returned, all waiting for their commit, take them all
        for (int i = 0; i < 4; i++) {
            pool.run(
                    release -> {
                        release.run();
                        awaitQuietly(commit);
                    },
                    wakeUps::incrementAndGet);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> wakeUps.get() == 4);
        assertThat(pool.free()).isZero();

        commit.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.free() == 2);
    }

    private void scaleTo(int slots) {
        while (pool.active() < slots) {
            pool.follow(1_000_000);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
