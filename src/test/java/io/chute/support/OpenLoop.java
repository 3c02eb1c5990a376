package io.chute.support;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * Open-loop HTTP load: requests are sent at a fixed arrival rate whatever the server's answers, and each
 * one's latency is measured from its intended start (start + i / rate), not from when it was sent. A closed
 * loop (wrk, hey: each connection waits for its answer before the next request) sends less while the server
 * stalls and so hides the queueing a stall causes, which is coordinated omission; measuring from the intended
 * start puts that waiting back.
 *
 * <p>Hand-written because the tool that does this, wrk2, is not packaged here; it is small: one pacing
 * thread and the JDK's asynchronous client, which opens as many connections as requests in flight. Use one
 * per phase and close it, so that a phase that overloaded the server leaves no connections to the next.
 */
public final class OpenLoop implements AutoCloseable {

    /** What a run measured; latencies in milliseconds. */
    public record Result(
            int requests,
            int errors,
            double offeredRate,
            double achievedRate,
            double p50,
            double p99,
            double p999,
            double max,
            double sendLag) {

        @Override
        public String toString() {
            return String.format(
                    "%d requests at %.0f/s offered (%.0f/s answered), %d errors: p50 %.2f ms, p99 %.2f ms,"
                            + " p99.9 %.2f ms, max %.1f ms (pacing lag at most %.2f ms)",
                    requests, offeredRate, achievedRate, errors, p50, p99, p999, max, sendLag);
        }
    }

    private final HttpClient client;

    public OpenLoop() {
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /**
     * Sends {@code rate × seconds} requests, request {@code i} built by {@code requests}, and waits for every
     * answer. An answer whose status is not {@code expectedStatus}, or none within 10 s, is an error.
     */
    public Result run(double rate, double seconds, int expectedStatus, IntFunction<HttpRequest> requests)
            throws InterruptedException {
        int n = (int) Math.round(rate * seconds);
        long[] latencies = new long[n];
        AtomicInteger errors = new AtomicInteger();
        CompletableFuture<?>[] answers = new CompletableFuture<?>[n];
        double period = 1e9 / rate;
        long maxLag = 0;
        long start = System.nanoTime() + 10_000_000;
        for (int i = 0; i < n; i++) {
            long intended = start + Math.round(i * period);
            for (long wait; (wait = intended - System.nanoTime()) > 0; ) {
                LockSupport.parkNanos(wait);
            }
            maxLag = Math.max(maxLag, System.nanoTime() - intended);
            int index = i;
            HttpRequest request = requests.apply(i);
            answers[i] = client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .orTimeout(10, TimeUnit.SECONDS)
                    .whenComplete((response, failure) -> {
                        latencies[index] = System.nanoTime() - intended;
                        if (failure != null || response.statusCode() != expectedStatus) {
                            errors.incrementAndGet();
                        }
                    });
        }
        try {
            CompletableFuture.allOf(answers).exceptionally(e -> null).join();
        } catch (RuntimeException e) {
            // why: failures are counted per request above
        }
        long end = System.nanoTime();
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        return new Result(
                n,
                errors.get(),
                rate,
                n / ((end - start) / 1e9),
                percentile(sorted, 0.50),
                percentile(sorted, 0.99),
                percentile(sorted, 0.999),
                sorted[n - 1] / 1e6,
                maxLag / 1e6);
    }

    /** Drops the client's connections, and with them any request still waiting on the server. */
    @Override
    public void close() {
        client.shutdownNow();
    }

    private static double percentile(long[] sorted, double p) {
        return sorted[Math.max(0, (int) Math.ceil(sorted.length * p) - 1)] / 1e6;
    }
}
