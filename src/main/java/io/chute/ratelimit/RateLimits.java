package io.chute.ratelimit;

import io.chute.common.ApiException;
import io.chute.common.DatabaseOutages;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Rate limits as Bucket4j token buckets kept in PostgreSQL ({@code rate_limit_buckets}), so every API node
 * draws from the same bucket: a limit holds however requests are spread over nodes. A refused request
 * is a 429 {@link RateLimitedException} that says when to retry and which policy refused it.
 */
@Component
public class RateLimits {

    private static final Logger log = LoggerFactory.getLogger(RateLimits.class);

    /** The limits Chute applies; the name is the policy name clients see in {@code RateLimit-Policy}. */
    public enum Limit {
        LOGIN_USERNAME("login-username"),
        LOGIN_ADDRESS("login-address"),
        REGISTER_ADDRESS("register-address"),
        UPLOADS_USER("uploads-user"),
        MESSAGES_USER("messages-user");

        final String policy;

        Limit(String policy) {
            this.policy = policy;
        }
    }

    private final PostgreSQLSelectForUpdateBasedProxyManager<String> buckets;
    private final RateLimitProperties properties;

    RateLimits(DataSource dataSource, RateLimitProperties properties) {
        this.properties = properties;
        this.buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("rate_limit_buckets")
                // why: a bucket that refilled completely holds nothing worth keeping; its row can go
                .expirationAfterWrite(
                        ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofMinutes(1)))
                .build();
    }

    /**
     * Takes one request from {@code subject}'s bucket of {@code limit}.
     *
     * @throws RateLimitedException (429) when the bucket is empty
     */
    public void consume(Limit limit, String subject) {
        if (!properties.enabled()) {
            return;
        }
        RateLimitProperties.Limit settings = settingsOf(limit);
        ConsumptionProbe probe =
                unlessUnreachable(() -> bucket(limit, subject, settings).tryConsumeAndReturnRemaining(1));
        if (!probe.isConsumed()) {
            long retryAfter =
                    Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999));
            throw new RateLimitedException(limit, settings, retryAfter);
        }
    }

    /** Gives back what {@link #consume} took, e.g. when a login succeeded and only failures count. */
    public void refund(Limit limit, String subject) {
        if (properties.enabled()) {
            unlessUnreachable(() -> {
                bucket(limit, subject, settingsOf(limit)).addTokens(1);
                return null;
            });
        }
    }

    /**
     * Bucket4j reports every SQL failure as its own {@code BucketExecutionException}; the buckets live in the
     * database, so that is the database failing: said as Spring says it, the request gets a 503 like any other.
     */
    private static <T> T unlessUnreachable(java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (io.github.bucket4j.BucketExceptions.BucketExecutionException e) {
            throw new org.springframework.dao.DataAccessResourceFailureException(
                    "The rate-limit buckets in the database could not be read", e);
        }
    }

    @Scheduled(fixedDelayString = "PT10M", initialDelayString = "PT1M")
    void removeExpired() {
        try {
            while (buckets.removeExpired(1000) == 1000) {
                // why: sweep in batches so that one statement never holds many row locks
            }
        } catch (RuntimeException e) {
            // why: the next sweep takes what this one left; an outage is one WARN per node, not an ERROR per sweep
            DatabaseOutages.report(log, "The sweep of expired rate-limit buckets", e);
        }
    }

    private io.github.bucket4j.distributed.BucketProxy bucket(
            Limit limit, String subject, RateLimitProperties.Limit settings) {
        String key = limit.policy + ":" + subject.toLowerCase(Locale.ROOT);
        return buckets.getProxy(
                key,
                () -> BucketConfiguration.builder()
                        .addLimit(l ->
                                l.capacity(settings.capacity()).refillGreedy(settings.capacity(), settings.period()))
                        .build());
    }

    private RateLimitProperties.Limit settingsOf(Limit limit) {
        return switch (limit) {
            case LOGIN_USERNAME -> properties.loginUsername();
            case LOGIN_ADDRESS -> properties.loginAddress();
            case REGISTER_ADDRESS -> properties.registerAddress();
            case UPLOADS_USER -> properties.uploadsUser();
            case MESSAGES_USER -> properties.messagesUser();
        };
    }

    /** 429 with {@code Retry-After} and the IETF draft's {@code RateLimit-Policy} and {@code RateLimit} fields. */
    public static class RateLimitedException extends ApiException {

        private final Map<String, String> headers;

        RateLimitedException(Limit limit, RateLimitProperties.Limit settings, long retryAfterSeconds) {
            super(
                    HttpStatus.TOO_MANY_REQUESTS,
                    "Too many requests (" + limit.policy + "); try again in " + retryAfterSeconds + " s",
                    Map.of("retryAfterSeconds", retryAfterSeconds, "policy", limit.policy));
            this.headers = Map.of(
                    "RateLimit-Policy",
                            "\"" + limit.policy + "\";q=" + settings.capacity() + ";w="
                                    + settings.period().toSeconds(),
                    "RateLimit", "\"" + limit.policy + "\";r=0;t=" + retryAfterSeconds);
        }

        @Override
        public Map<String, String> headers() {
            return headers;
        }
    }
}
