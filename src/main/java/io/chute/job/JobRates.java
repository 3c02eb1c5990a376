package io.chute.job;

import io.chute.config.ChuteProperties;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Per-type start rates ({@code chute.jobs.types.{type}.rate}, starts per second): a Bucket4j
 * token bucket per type in PostgreSQL ({@code rate_limit_buckets}), so
 * the limit holds over every node. The bucket holds one token and refills one per
 * {@code 1 / rate} seconds: starts are paced evenly, never in bursts. Queue adapters take a
 * permit before they claim and give back what they could not use.
 */
public class JobRates {

    private static final String PREFIX = "job-rate:";

    private final ChuteProperties.Jobs config;
    private final PostgreSQLSelectForUpdateBasedProxyManager<String> buckets;

    public JobRates(DataSource dataSource, ChuteProperties.Jobs config) {
        this.config = config;
        this.buckets = dataSource == null
                ? null
                : Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                        .primaryKeyMapper(PrimaryKeyMapper.STRING)
                        .table("rate_limit_buckets")
                        .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                                Duration.ofMinutes(1)))
                        .build();
    }

    /** No type limited: for runners without a database of their own (tests of other parts). */
    public static JobRates unlimited(ChuteProperties.Jobs config) {
        return new JobRates(null, config);
    }

    /** Whether {@code type} has a rate. */
    public boolean limited(String type) {
        return buckets != null && config.rateOf(type) != null;
    }

    /** Takes up to {@code wanted} starts of {@code type}; 0 when none is free now. */
    public int acquire(String type, int wanted) {
        if (wanted <= 0) {
            return 0;
        }
        if (!limited(type)) {
            return wanted;
        }
        return (int) bucket(type).tryConsumeAsMuchAsPossible(wanted);
    }

    /** Gives back starts taken but not used (the claim found fewer jobs). */
    public void refund(String type, int unused) {
        if (unused > 0 && limited(type)) {
            bucket(type).addTokens(unused);
        }
    }

    /** How long until {@code type} has a start free (zero when it has one or is unlimited). */
    public Duration untilNext(String type) {
        if (!limited(type)) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(bucket(type).estimateAbilityToConsume(1).getNanosToWaitForRefill());
    }

    private BucketProxy bucket(String type) {
        double rate = config.rateOf(type);
        Duration period = Duration.ofNanos(Math.max(1, Math.round(1_000_000_000d / rate)));
        return buckets.getProxy(
                // why: a bucket keeps the configuration it was made with; a changed rate gets a new bucket
                PREFIX + type + ":" + rate,
                () -> BucketConfiguration.builder()
                        .addLimit(l -> l.capacity(1).refillGreedy(1, period))
                        .build());
    }
}
