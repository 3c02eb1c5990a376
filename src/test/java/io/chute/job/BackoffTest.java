package io.chute.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BackoffTest {

    // why: the jitter is random; enough draws make a wrong range show up with near certainty
    private static final int SAMPLES = 2_000;

    private final Backoff backoff = new Backoff(Duration.ofSeconds(2));

    @ParameterizedTest(name = "attempt {0} waits {1}s ±20%")
    @CsvSource({"1, 2", "2, 4", "3, 8", "4, 16", "5, 32", "6, 64"})
    void doublesTheDelayWithEachAttemptWithin20PercentJitter(int attempt, long nominalSeconds) {
        Duration nominal = Duration.ofSeconds(nominalSeconds);

        assertThat(shortest(attempt))
                .isGreaterThanOrEqualTo(nominal.multipliedBy(8).dividedBy(10));
        assertThat(longest(attempt))
                .isLessThanOrEqualTo(nominal.multipliedBy(12).dividedBy(10));
    }

    @Test
    void spreadsTheDelaysOverTheJitterRange() {
        Set<Duration> distinct = new HashSet<>(
                IntStream.range(0, SAMPLES).mapToObj(i -> backoff.delayAfter(3)).toList());

        assertThat(distinct).hasSizeGreaterThan(100);
        assertThat(distinct).anySatisfy(d -> assertThat(d).isLessThan(Duration.ofMillis(7_000)));
        assertThat(distinct).anySatisfy(d -> assertThat(d).isGreaterThan(Duration.ofMillis(9_000)));
    }

    @ParameterizedTest
    @ValueSource(ints = {13, 40, 1000, Integer.MAX_VALUE})
    void neverWaitsLongerThanAnHour(int attempt) {
        assertThat(longest(attempt)).isLessThanOrEqualTo(Duration.ofHours(1));
        assertThat(shortest(attempt)).isGreaterThanOrEqualTo(Duration.ofMinutes(48));
    }

    @Test
    void capsTheJitteredDelayAtAnHourToo() {
        var slow = new Backoff(Duration.ofMinutes(55)); // up to 66 minutes before the cap

        assertThat(IntStream.range(0, SAMPLES)
                        .mapToObj(i -> slow.delayAfter(1))
                        .max(Duration::compareTo)
                        .orElseThrow())
                .isEqualTo(Duration.ofHours(1));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, -100})
    void treatsAnAttemptBelowOneAsTheFirst(int attempt) {
        assertThat(shortest(attempt)).isGreaterThanOrEqualTo(Duration.ofMillis(1_600));
        assertThat(longest(attempt)).isLessThanOrEqualTo(Duration.ofMillis(2_400));
    }

    @Test
    void treatsTheMostNegativeAttemptAsTheFirstToo() {
        // why: attempt - 1 overflows to Integer.MAX_VALUE here unless the subtraction is guarded
        assertThat(shortest(Integer.MIN_VALUE)).isGreaterThanOrEqualTo(Duration.ofMillis(1_600));
        assertThat(longest(Integer.MIN_VALUE)).isLessThanOrEqualTo(Duration.ofMillis(2_400));
    }

    private Duration shortest(int attempt) {
        return delays(attempt).stream().min(Duration::compareTo).orElseThrow();
    }

    private Duration longest(int attempt) {
        return delays(attempt).stream().max(Duration::compareTo).orElseThrow();
    }

    private List<Duration> delays(int attempt) {
        return IntStream.range(0, SAMPLES)
                .mapToObj(i -> backoff.delayAfter(attempt))
                .toList();
    }
}
