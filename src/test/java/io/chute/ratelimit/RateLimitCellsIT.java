package io.chute.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chute.support.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The buckets in PostgreSQL on their own: a token bucket's capacity, greedy refill, refund and Retry-After, one
 * bucket shared by two nodes' instances, and no token handed out twice under concurrent requests.
 */
class RateLimitCellsIT {

    private static RateLimitProperties uploads(long capacity, Duration period) {
        return new RateLimitProperties(true, null, null, null, new RateLimitProperties.Limit(capacity, period), null);
    }

    private static RateLimits node(TestDatabase database, RateLimitProperties properties) {
        return new RateLimits(
                database.dataSource(), new RateLimitCells(JdbcClient.create(database.dataSource())), properties);
    }

    @Test
    void aBucketLetsItsCapacityThroughThenRefillsGraduallyAndTakesRefunds() throws Exception {
        try (TestDatabase database = TestDatabase.create()) {
            RateLimits limits = node(database, uploads(2, Duration.ofSeconds(2)));
            limits.consume(RateLimits.Limit.UPLOADS_USER, "Alice");
            limits.consume(RateLimits.Limit.UPLOADS_USER, "alice");
            assertThatThrownBy(() -> limits.consume(RateLimits.Limit.UPLOADS_USER, "alice"))
                    .isInstanceOfSatisfying(RateLimits.RateLimitedException.class, e -> {
                        assertThat(e.properties())
                                .containsEntry("retryAfterSeconds", 1L)
                                .containsEntry("policy", "uploads-user");
                        assertThat(e.headers())
                                .containsEntry("RateLimit-Policy", "\"uploads-user\";q=2;w=2")
                                .containsEntry("RateLimit", "\"uploads-user\";r=0;t=1");
                    });
            // another subject has a bucket of its own
            limits.consume(RateLimits.Limit.UPLOADS_USER, "bob");

            // one token comes back per period / capacity = 1 s, not the whole bucket
            Thread.sleep(1100);
            limits.consume(RateLimits.Limit.UPLOADS_USER, "alice");
            assertThatThrownBy(() -> limits.consume(RateLimits.Limit.UPLOADS_USER, "alice"))
                    .isInstanceOf(RateLimits.RateLimitedException.class);

            limits.refund(RateLimits.Limit.UPLOADS_USER, "alice");
            limits.consume(RateLimits.Limit.UPLOADS_USER, "alice");
            assertThatThrownBy(() -> limits.consume(RateLimits.Limit.UPLOADS_USER, "alice"))
                    .isInstanceOf(RateLimits.RateLimitedException.class);

            // a refund never fills a bucket beyond its capacity
            for (int i = 0; i < 5; i++) {
                limits.refund(RateLimits.Limit.UPLOADS_USER, "bob");
            }
            limits.consume(RateLimits.Limit.UPLOADS_USER, "bob");
            limits.consume(RateLimits.Limit.UPLOADS_USER, "bob");
            assertThatThrownBy(() -> limits.consume(RateLimits.Limit.UPLOADS_USER, "bob"))
                    .isInstanceOf(RateLimits.RateLimitedException.class);
        }
    }

    @Test
    void twoNodesDrawFromOneBucketAndConcurrentRequestsNeverShareAToken() throws Exception {
        try (TestDatabase database = TestDatabase.create();
                ExecutorService threads = Executors.newFixedThreadPool(8)) {
            RateLimitProperties properties = uploads(25, Duration.ofHours(1));
            List<RateLimits> nodes = List.of(node(database, properties), node(database, properties));
            List<Callable<Boolean>> attempts = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                RateLimits node = nodes.get(i % 2);
                attempts.add(() -> {
                    try {
                        node.consume(RateLimits.Limit.UPLOADS_USER, "carol");
                        return true;
                    } catch (RateLimits.RateLimitedException e) {
                        return false;
                    }
                });
            }
            int granted = 0;
            for (Future<Boolean> attempt : threads.invokeAll(attempts)) {
                granted += attempt.get() ? 1 : 0;
            }
            assertThat(granted).isEqualTo(25);
            assertThatThrownBy(() -> nodes.get(0).consume(RateLimits.Limit.UPLOADS_USER, "carol"))
                    .isInstanceOfSatisfying(
                            RateLimits.RateLimitedException.class,
                            // 3600 s / 25 = 144 s until the next token
                            e -> assertThat((Long) e.properties().get("retryAfterSeconds"))
                                    .isBetween(140L, 144L));
        }
    }
}
