package io.chute.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The messages limit is counted in the node's memory: it holds with the database out of reach,
 * while the limits kept in PostgreSQL need it (here, a database nothing listens for).
 */
class RateLimitsTest {

    private final PGSimpleDataSource database = unreachableDatabase();
    private final RateLimits limits = new RateLimits(
            database,
            new RateLimitCells(JdbcClient.create(database)),
            new RateLimitProperties(
                    true, null, null, null, null, new RateLimitProperties.Limit(3L, Duration.ofHours(1))));

    @Test
    void messagesAreCountedPerUserInMemoryWithoutTheDatabase() {
        String alice = UUID.randomUUID().toString();
        for (int i = 0; i < 3; i++) {
            limits.consume(RateLimits.Limit.MESSAGES_USER, alice);
        }

        assertThatThrownBy(() -> limits.consume(RateLimits.Limit.MESSAGES_USER, alice))
                .isInstanceOfSatisfying(RateLimits.RateLimitedException.class, e -> {
                    assertThat(e.status().value()).isEqualTo(429);
                    assertThat(e.headers()).containsEntry("RateLimit-Policy", "\"messages-user\";q=3;w=3600");
                    assertThat(Long.parseLong(e.headers().get("RateLimit").replaceAll(".*;t=", "")))
                            .isBetween(1L, 1200L);
                });
        assertThatNoException()
                .as("another user's bucket")
                .isThrownBy(() -> limits.consume(
                        RateLimits.Limit.MESSAGES_USER, UUID.randomUUID().toString()));
    }

    @Test
    void aRefundedMessageMayBeSentAgain() {
        String bob = UUID.randomUUID().toString();
        for (int i = 0; i < 3; i++) {
            limits.consume(RateLimits.Limit.MESSAGES_USER, bob);
        }
        limits.refund(RateLimits.Limit.MESSAGES_USER, bob);

        assertThatNoException().isThrownBy(() -> limits.consume(RateLimits.Limit.MESSAGES_USER, bob));
        assertThatThrownBy(() -> limits.consume(RateLimits.Limit.MESSAGES_USER, bob))
                .isInstanceOf(RateLimits.RateLimitedException.class);
    }

    @Test
    void theSharedLimitsStillGoToTheDatabase() {
        assertThatThrownBy(() -> limits.consume(
                        RateLimits.Limit.UPLOADS_USER, UUID.randomUUID().toString()))
                .isInstanceOf(DataAccessResourceFailureException.class);
    }

    private static PGSimpleDataSource unreachableDatabase() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setServerNames(new String[] {"127.0.0.1"});
        dataSource.setPortNumbers(new int[] {1});
        dataSource.setConnectTimeout(2);
        return dataSource;
    }
}
