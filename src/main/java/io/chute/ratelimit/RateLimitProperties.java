package io.chute.ratelimit;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code chute.rate-limits.*}: each limit lets {@code capacity} requests through per {@code period} (refilled
 * gradually), e.g. {@code chute.rate-limits.login-username.capacity=10}; what is not set keeps its default.
 */
@ConfigurationProperties("chute.rate-limits")
public record RateLimitProperties(
        @DefaultValue("true") boolean enabled,
        Limit loginUsername,
        Limit loginAddress,
        Limit registerAddress,
        Limit uploadsUser,
        Limit messagesUser) {

    public RateLimitProperties {
        loginUsername = Limit.orDefault(loginUsername, 10, Duration.ofMinutes(15));
        loginAddress = Limit.orDefault(loginAddress, 50, Duration.ofMinutes(15));
        registerAddress = Limit.orDefault(registerAddress, 20, Duration.ofHours(1));
        uploadsUser = Limit.orDefault(uploadsUser, 300, Duration.ofHours(1));
        messagesUser = Limit.orDefault(messagesUser, 120, Duration.ofMinutes(1));
    }

    /** {@code capacity} requests per {@code period}; null parts take the limit's default. */
    public record Limit(Long capacity, Duration period) {

        static Limit orDefault(Limit given, long capacity, Duration period) {
            Limit limit = new Limit(
                    given == null || given.capacity() == null ? capacity : given.capacity(),
                    given == null || given.period() == null ? period : given.period());
            if (limit.capacity() < 1
                    || limit.period().isZero()
                    || limit.period().isNegative()) {
                throw new IllegalArgumentException("A rate limit needs a capacity of at least 1 and a positive period");
            }
            return limit;
        }
    }
}
