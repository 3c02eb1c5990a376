package io.chute.ops;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every PromQL expression that deploy/ holds: the alert rules, the dashboard's panels and KEDA's
 * trigger; and the metric names they read.
 */
final class DeployedQueries {

    static final Path DEPLOY = Path.of("deploy");

    private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern NUMBER_LIKE = Pattern.compile("\\d[\\w.]*");
    private static final Set<String> PROMQL_WORDS = Set.of(
            "sum",
            "avg",
            "max",
            "min",
            "count",
            "rate",
            "irate",
            "increase",
            "deriv",
            "delta",
            "histogram_quantile",
            "and",
            "or",
            "unless",
            "offset",
            "bool",
            "abs",
            "clamp_min",
            "clamp_max",
            "topk",
            "bottomk",
            "avg_over_time",
            "max_over_time",
            "min_over_time",
            "absent",
            "vector",
            "scalar");

    private DeployedQueries() {}

    /** Each expression, keyed by where it comes from (for messages). */
    static Map<String, String> expressions() {
        Map<String, String> found = new java.util.LinkedHashMap<>();
        for (Map<String, Object> group :
                listOf(yaml(DEPLOY.resolve("prometheus/alerts.yml")).get("groups"))) {
            for (Map<String, Object> rule : listOf(group.get("rules"))) {
                found.put("alert " + rule.get("alert"), (String) rule.get("expr"));
            }
        }
        JsonNode dashboard = JsonMapper.builder()
                .build()
                .readTree(DEPLOY.resolve("grafana/chute.json").toFile());
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                found.put(
                        "panel '" + panel.get("title").asString() + "' "
                                + target.get("refId").asString(),
                        target.get("expr").asString());
            }
        }
        for (Map<String, Object> trigger :
                listOf(mapOf(yaml(DEPLOY.resolve("k8s/keda.yaml")).get("spec")).get("triggers"))) {
            found.put("keda trigger", (String) mapOf(trigger.get("metadata")).get("query"));
        }
        return found;
    }

    /** The metric names an expression reads (functions, keywords, labels and durations left out). */
    static Set<String> metricsIn(String expr) {
        String bare = QUOTED.matcher(expr).replaceAll(" ");
        bare = MATCHERS.matcher(bare).replaceAll(" ");
        bare = RANGES.matcher(bare).replaceAll(" ");
        bare = GROUPING.matcher(bare).replaceAll(" ");
        bare = bare.replace("$__rate_interval", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(bare);
        while (m.find()) {
            String word = m.group();
            boolean partOfNumber = m.start() > 0 && Character.isDigit(bare.charAt(m.start() - 1));
            if (!PROMQL_WORDS.contains(word)
                    && !partOfNumber
                    && !NUMBER_LIKE.matcher(word).matches()) {
                names.add(word);
            }
        }
        return names;
    }

    static Set<String> metrics() {
        Set<String> all = new TreeSet<>();
        expressions().values().forEach(e -> all.addAll(metricsIn(e)));
        return all;
    }

    static Map<String, Object> yaml(Path file) {
        try (Reader in = Files.newBufferedReader(file)) {
            return new Yaml().load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> listOf(Object value) {
        return value == null ? List.of() : new ArrayList<>((List<Map<String, Object>>) value);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> mapOf(Object value) {
        return (Map<String, Object>) value;
    }
}
