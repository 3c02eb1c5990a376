package io.chute.job;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter: {@code base * 2^(attempt-1)}, ±20%, capped at one hour. */
record Backoff(Duration base) {

    static final Duration CAP = Duration.ofHours(1);

    Duration delayAfter(int attempt) {
        int exponent = (int) Math.clamp((long) attempt - 1, 0, 30);
        double millis = Math.min(base.toMillis() * Math.pow(2, exponent), CAP.toMillis());
        double jitter = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
        return Duration.ofMillis((long) Math.min(millis * jitter, CAP.toMillis()));
    }
}
