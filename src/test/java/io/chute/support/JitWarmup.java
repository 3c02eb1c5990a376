package io.chute.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Warm-up of a benchmark until the JIT compilers of the JVM under load have settled: rounds of load run until one
 * round's compile time is under {@link #SETTLED_SHARE} of its wall time (or the time limit passes). On 2 cores the
 * C2 compiler takes a whole core for the first 30-60 s of load, so a figure measured earlier is the compiler's, not
 * the code's: the accept path's presign measured 1,297 requests/s after 20 s of warm-up and 2,112/s after 60 s, with
 * the JIT's time falling from 0.65 cores to none; chat fan-out's p99 at 100 messages/s, 52 ms cold, was 25 ms with
 * both nodes settled.
 *
 * <p>The JVM is this one ({@link #here()}, from {@link java.lang.management.CompilationMXBean}) or another process
 * ({@link #of(long)}, from its {@code java.ci.totalTime} counter, read with {@code jcmd PerfCounter.print} of the
 * JDK running this one).
 */
public final class JitWarmup {

    /** A round whose compile time is under this share of its wall time ends the warm-up (5% of one core). */
    static final double SETTLED_SHARE = 0.05;

    private static final Pattern COUNTER =
            Pattern.compile("^(java\\.ci\\.totalTime|sun\\.os\\.hrt\\.frequency)=(\\d+)$");

    /** One round of load, numbered from 0. */
    @FunctionalInterface
    public interface Round {
        void run(int round) throws Exception;
    }

    /** What a warm-up took: its rounds, its wall time and the compile time of its last round, in ms. */
    public record Result(
            int rounds, long wallMillis, long lastRoundCompileMillis, long lastRoundMillis, boolean settled) {

        @Override
        public String toString() {
            return String.format(
                    "warm-up: %d rounds in %.0f s; the last one compiled for %d ms of its %d ms (%s)",
                    rounds,
                    wallMillis / 1e3,
                    lastRoundCompileMillis,
                    lastRoundMillis,
                    settled ? "settled" : "still compiling at the time limit");
        }
    }

    private final LongSupplier compileMillis;

    private final LongSupplier nanoTime;

    JitWarmup(LongSupplier compileMillis) {
        this(compileMillis, System::nanoTime);
    }

    /** With {@code nanoTime} as the clock rounds are timed by. */
    JitWarmup(LongSupplier compileMillis, LongSupplier nanoTime) {
        this.compileMillis = compileMillis;
        this.nanoTime = nanoTime;
    }

    /**
     * The usual time limit of a warm-up: 75 s in a quick run ({@code CHUTE_BENCH_QUICK=1}, as {@code bench/all.sh
     * --quick} sets, which must finish within 10 minutes), else 180 s.
     */
    public static Duration limit() {
        return Duration.ofSeconds("1".equals(System.getenv("CHUTE_BENCH_QUICK")) ? 75 : 180);
    }

    /** The JIT of this JVM (benchmarks that run Chute's code in their own process). */
    public static JitWarmup here() {
        var compilation = ManagementFactory.getCompilationMXBean();
        return new JitWarmup(compilation::getTotalCompilationTime);
    }

    /** The JITs of the JVMs with these process ids ({@link ChuteProcess}es), their compile times summed. */
    public static JitWarmup of(long... pids) {
        Path jcmd =
                Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
        return new JitWarmup(() -> java.util.Arrays.stream(pids)
                .map(pid -> compileMillisOf(jcmd, pid))
                .sum());
    }

    /**
     * Runs rounds until one compiles for under {@link #SETTLED_SHARE} of its wall time, at least {@code minRounds}
     * and until {@code limit} has passed at most (the round running then ends the warm-up); prints each round.
     */
    public Result run(int minRounds, Duration limit, Round round) throws Exception {
        long start = nanoTime.getAsLong();
        int rounds = 0;
        while (true) {
            long compiledBefore = compileMillis.getAsLong();
            long roundStart = nanoTime.getAsLong();
            round.run(rounds);
            rounds++;
            long roundMillis = (nanoTime.getAsLong() - roundStart) / 1_000_000;
            long compiled = compileMillis.getAsLong() - compiledBefore;
            boolean settled = settled(compiled, roundMillis);
            System.out.printf(
                    "  warm-up round %d: %d ms, the JIT compiled for %d ms (%.0f%% of a core)%n",
                    rounds, roundMillis, compiled, 100.0 * compiled / Math.max(1, roundMillis));
            long wall = (nanoTime.getAsLong() - start) / 1_000_000;
            if ((settled && rounds >= minRounds) || wall >= limit.toMillis()) {
                Result result = new Result(rounds, wall, compiled, roundMillis, settled);
                System.out.println(result);
                return result;
            }
        }
    }

    /** The compile time of the JVM so far, in ms. */
    long compileMillis() {
        return compileMillis.getAsLong();
    }

    /** Whether a round of {@code roundMillis} that compiled for {@code compiledMillis} ran on settled code. */
    static boolean settled(long compiledMillis, long roundMillis) {
        return compiledMillis < SETTLED_SHARE * Math.max(1, roundMillis);
    }

    /** {@code java.ci.totalTime} (ticks of {@code sun.os.hrt.frequency}) of process {@code pid}, in ms. */
    private static long compileMillisOf(Path jcmd, long pid) {
        try {
            Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "PerfCounter.print")
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor();
            return compileMillisIn(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The compile time in {@code jcmd PerfCounter.print}'s output, in ms. */
    static long compileMillisIn(String perfCounters) {
        long ticks = -1;
        long frequency = -1;
        for (String line : perfCounters.split("\n")) {
            Matcher m = COUNTER.matcher(line.strip());
            if (m.matches()) {
                long value = Long.parseLong(m.group(2));
                if (m.group(1).equals("java.ci.totalTime")) {
                    ticks = value;
                } else {
                    frequency = value;
                }
            }
        }
        if (ticks < 0 || frequency <= 0) {
            throw new IllegalStateException("no java.ci.totalTime in jcmd's output: "
                    + perfCounters.substring(0, Math.min(300, perfCounters.length())));
        }
        return ticks * 1000 / frequency;
    }
}
