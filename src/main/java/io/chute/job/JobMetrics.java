package io.chute.job;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * What a worker node's runner does, by job type: {@code file_processing_duration_seconds{type,result}}
 * (a histogram of each attempt), {@code jobs_completed_total{type,result}} (each attempt's outcome)
 * and {@code worker_utilization{type}} (running jobs over the type's concurrency, 0-1). Types
 * come from the handlers and results from {@link JobRunner.Outcome}, so the label sets stay bounded.
 */
public class JobMetrics {

    private final MeterRegistry meters;
    private final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();

    public JobMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    /** Metrics that go nowhere: runners built outside Spring (benchmarks, queue contract tests). */
    static JobMetrics none() {
        return new JobMetrics(new CompositeMeterRegistry());
    }

    /** Publishes {@code worker_utilization} for the types this node serves, from its start. */
    void serving(Set<String> types, ToIntFunction<String> concurrency) {
        for (String type : types) {
            AtomicInteger count = running(type);
            Gauge.builder(
                            "worker.utilization",
                            count,
                            c -> Math.min(1.0, c.get() / (double) Math.max(1, concurrency.applyAsInt(type))))
                    .description("running jobs over the type's concurrency on this node (0-1)")
                    .tag("type", type)
                    .register(meters);
        }
    }

    /** Runs one attempt of {@code job}, recording its duration and outcome. */
    JobRunner.Outcome attempt(Job job, Function<Job, JobRunner.Outcome> run) {
        AtomicInteger count = running(job.type());
        count.incrementAndGet();
        long start = System.nanoTime();
        JobRunner.Outcome outcome = null;
        try {
            outcome = run.apply(job);
            return outcome;
        } finally {
            count.decrementAndGet();
            String result = outcome == null ? "error" : outcome.name().toLowerCase(Locale.ROOT);
            Timer.builder("file.processing.duration")
                    .description("time of one processing attempt, by job type and outcome")
                    .tag("type", job.type())
                    .tag("result", result)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(5))
                    .maximumExpectedValue(Duration.ofMinutes(30))
                    .register(meters)
                    .record(Duration.ofNanos(System.nanoTime() - start));
            Counter.builder("jobs.completed")
                    .description("processing attempts ended, by job type and outcome")
                    .tag("type", job.type())
                    .tag("result", result)
                    .register(meters)
                    .increment();
        }
    }

    private AtomicInteger running(String type) {
        return running.computeIfAbsent(type, t -> new AtomicInteger());
    }
}
