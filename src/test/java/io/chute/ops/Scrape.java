package io.chute.ops;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One read of {@code /actuator/prometheus}, parsed into samples (the text exposition format). */
record Scrape(List<Sample> samples) {

    record Sample(String name, Map<String, String> labels, double value) {}

    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    static Scrape of(String text) {
        return new Scrape(text.lines()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(Scrape::sample)
                .toList());
    }

    private static Sample sample(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.find()) {
            throw new IllegalArgumentException("not a sample line: " + line);
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (m.group(2) != null) {
            Matcher l = LABEL.matcher(m.group(2));
            while (l.find()) {
                labels.put(l.group(1), l.group(2));
            }
        }
        return new Sample(m.group(1), labels, Double.parseDouble(m.group(3)));
    }

    List<Sample> named(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** The sum of every series of {@code name} whose labels include {@code labels}. */
    double sum(String name, Map<String, String> labels) {
        return named(name).stream()
                .filter(s -> s.labels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(Sample::value)
                .sum();
    }

    boolean exports(String name) {
        return samples.stream().anyMatch(s -> s.name().equals(name));
    }
}
