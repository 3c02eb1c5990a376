package io.chute.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code promtool check rules} (Debian's prometheus package) on deploy/prometheus/alerts.yml, as CI runs it. */
class AlertRulesIT {

    @Test
    void promtoolAcceptsEveryAlertRule() throws IOException, InterruptedException {
        Path rules = DeployedQueries.DEPLOY.resolve("prometheus/alerts.yml");
        Process promtool = new ProcessBuilder(promtool(), "check", "rules", rules.toString())
                .redirectErrorStream(true)
                .start();
        assertThat(promtool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(promtool.exitValue()).as(output).isZero();
        long alerts = DeployedQueries.expressions().keySet().stream()
                .filter(k -> k.startsWith("alert "))
                .count();
        assertThat(output).contains("SUCCESS: " + alerts + " rules found");
    }

    private static String promtool() {
        return List.of("/usr/bin/promtool", "/usr/local/bin/promtool").stream()
                .filter(p -> Files.isExecutable(Path.of(p)))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("promtool is not installed: apt-get install prometheus"));
    }
}
