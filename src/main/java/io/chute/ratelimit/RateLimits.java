package io.chute.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.chute.common.ApiException;
import io.chute.common.DatabaseOutages;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
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
 * Rate limits as token buckets kept in PostgreSQL ({@code rate_limit_cells}), so every API node draws from the
 * same bucket: a limit holds however requests are spread over nodes. A refused request is a 429
 * {@link RateLimitedException} that says when to retry and which policy refused it. {@link Limit#MESSAGES_USER} is
 * counted in this node's memory instead (see {@link Limit#perNode}).
 *
 * <p>Each bucket is one row holding its GCRA state (the generic cell rate algorithm: the theoretical arrival time
 * of the request after the bucket's last token, in epoch seconds), which lets {@code capacity} requests through
 * at once and then one per {@code period / capacity}: exactly a token bucket of that capacity refilled greedily
 * over the period. Taking a token is one autocommitted upsert, one round trip. Written by hand because Bucket4j's
 * PostgreSQL buckets take a transaction of three statements per request (select for update, update, commit),
 * which was the most frequent round trip of a presign under load; the table is unlogged (a bucket is not worth a
 * WAL write), so after a crash buckets start full, as after a refill.
 */
@Component
public class RateLimits {

    private static final Logger log = LoggerFactory.getLogger(RateLimits.class);

    /** The limits Chute applies; the name is the policy name clients see in {@code RateLimit-Policy}. */
    public enum Limit {
        LOGIN_USERNAME("login-username", false),
        LOGIN_ADDRESS("login-address", false),
        REGISTER_ADDRESS("register-address", false),
        UPLOADS_USER("uploads-user", false),
        MESSAGES_USER("messages-user", true);

        final String policy;

        /**
         * Counted in the memory of the node that takes the request (a Bucket4j bucket), not in PostgreSQL: no
         * database round trip per request, at the price of a limit per node (a subject whose requests are spread
         * over n nodes gets up to n times the capacity, and a restarted node starts with full buckets). Messages
         * are: they come mostly over a user's sockets, which sit on one node, thousands a second.
         */
        final boolean perNode;

        Limit(String policy, boolean perNode) {
            this.policy = policy;
            this.perNode = perNode;
        }
    }

    private final RateLimitCells cells;
    private final PostgreSQLSelectForUpdateBasedProxyManager<String> jobRateBuckets;
    // why: a bucket untouched for its whole period has refilled completely, so forgetting it changes nothing
    private final Cache<String, Bucket> localBuckets;
    private final RateLimitProperties properties;

    RateLimits(DataSource dataSource, RateLimitCells cells, RateLimitProperties properties) {
        this.cells = cells;
        this.properties = properties;
        // why: only to sweep rate_limit_buckets, where the job start rates (JobRates) keep their Bucket4j buckets
        this.jobRateBuckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("rate_limit_buckets")
                .build();
        Duration longest = java.util.stream.Stream.of(Limit.values())
                .filter(l -> l.perNode)
                .map(l -> settingsOf(l).period())
                .max(Duration::compareTo)
                .orElse(Duration.ofMinutes(1));
        this.localBuckets = Caffeine.newBuilder().expireAfterAccess(longest).build();
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
        if (limit.perNode) {
            ConsumptionProbe probe = localBucket(limit, subject, settings).tryConsumeAndReturnRemaining(1);
            if (!probe.isConsumed()) {
                long retryAfter =
                        Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999));
                throw new RateLimitedException(limit, settings, retryAfter);
            }
            return;
        }
        double period = seconds(settings.period());
        double interval = period / settings.capacity();
        RateLimitCells.Taken taken = cells.take(key(limit, subject), interval, period);
        if (!taken.granted()) {
            // the next token is there once the theoretical arrival time is within a period of now
            double wait = taken.ahead() + interval - period;
            long retryAfter = Math.max(1, (long) Math.ceil(wait));
            throw new RateLimitedException(limit, settings, retryAfter);
        }
    }

    /** Gives back what {@link #consume} took, e.g. when a login succeeded and only failures count. */
    public void refund(Limit limit, String subject) {
        if (properties.enabled() && limit.perNode) {
            localBucket(limit, subject, settingsOf(limit)).addTokens(1);
        } else if (properties.enabled()) {
            RateLimitProperties.Limit settings = settingsOf(limit);
            cells.giveBack(key(limit, subject), seconds(settings.period()) / settings.capacity());
        }
    }

    @Scheduled(fixedDelayString = "PT10M", initialDelayString = "PT1M")
    void removeExpired() {
        try {
            // why: a bucket that refilled completely holds nothing worth keeping; batches so that one statement
            // never holds many row locks
            while (cells.removeFull(1000) == 1000) {
                // next batch
            }
            while (jobRateBuckets.removeExpired(1000) == 1000) {
                // next batch
            }
        } catch (RuntimeException e) {
            // why: the next sweep takes what this one left; an outage is one WARN per node, not an ERROR per sweep
            DatabaseOutages.report(log, "The sweep of expired rate-limit buckets", e);
        }
    }

    private static String key(Limit limit, String subject) {
        return limit.policy + ":" + subject.toLowerCase(Locale.ROOT);
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }

    private Bucket localBucket(Limit limit, String subject, RateLimitProperties.Limit settings) {
        return localBuckets.get(
                key(limit, subject),
                k -> Bucket.builder()
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
