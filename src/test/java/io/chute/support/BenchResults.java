package io.chute.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * The benchmarks' common output: when the environment variable {@code CHUTE_BENCH_RESULTS} names a file,
 * each figure is appended to it as one JSON line with exactly the fields {@code name, value, unit, baseline,
 * baselineValue, ratio, target, met}; {@code bench/all.sh} assembles them into {@code target/bench/results.json}.
 * Without the variable nothing is written (the benchmarks print their figures either way).
 */
public final class BenchResults {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private BenchResults() {}

    /** A target on a figure: what it must reach and whether it did; {@code met} is null without a target. */
    public record Target(String text, Boolean met) {

        public static final Target NONE = new Target(null, null);

        /** The figure (or the ratio, as {@code text} says) must be at least {@code minimum}. */
        public static Target atLeast(String text, double actual, double minimum) {
            return new Target(text, actual >= minimum);
        }

        /** The figure must stay under {@code maximum}. */
        public static Target under(String text, double actual, double maximum) {
            return new Target(text, actual < maximum);
        }
    }

    /**
     * Appends one figure. {@code ratio} is {@code value / baselineValue}, or null without a baseline.
     *
     * @param baseline what the figure is compared with in the same run, or null
     * @param baselineValue the baseline's figure in the same unit, or null
     */
    public static void record(
            String name, double value, String unit, String baseline, Double baselineValue, Target target) {
        String file = System.getenv("CHUTE_BENCH_RESULTS");
        if (file == null || file.isBlank()) {
            return;
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("name", name);
        line.put("value", round(value));
        line.put("unit", unit);
        line.put("baseline", baseline);
        line.put("baselineValue", baselineValue == null ? null : round(baselineValue));
        line.put(
                "ratio",
                baselineValue == null || baselineValue == 0 ? null : Math.round(value / baselineValue * 1000) / 1000.0);
        line.put("target", target.text());
        line.put("met", target.met());
        try {
            Files.writeString(
                    Path.of(file),
                    JSON.writeValueAsString(line) + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Three significant digits at most below 100, whole numbers above: what a table shows. */
    private static double round(double v) {
        if (Math.abs(v) >= 100) {
            return Math.round(v);
        }
        return Math.round(v * 1000) / 1000.0;
    }
}
