package io.chute.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.chute.support.Browser;
import io.chute.support.EmbeddedChuteIT;
import io.chute.support.TestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;

/**
 * axe-core (from npm: {@code npm install --prefix target/npm axe-core@4}, as {@code .ci/run} does, or
 * {@code CHUTE_TEST_AXE} naming axe.min.js) over the main screens in a real Chromium: no serious or
 * critical WCAG 2.1 A/AA violation.
 */
class AccessibilityIT extends EmbeddedChuteIT {

    private static final Path AXE =
            Path.of(System.getenv().getOrDefault("CHUTE_TEST_AXE", "target/npm/node_modules/axe-core/axe.min.js"));

    @Test
    @SuppressWarnings("unchecked")
    void theMainScreensHaveNoSeriousOrCriticalViolations() throws Exception {
        assumeThat(Files.exists(AXE)).as("axe-core at " + AXE).isTrue();
        String axe = Files.readString(AXE);
        TestClient ana = newUser();
        TestClient bo = newUser();
        Map<String, Object> boMe = bo.get("/api/me").json();
        String channel =
                (String) ana.post("/api/channels", Map.of("name", "Design", "memberIds", List.of(boMe.get("id"))))
                        .json()
                        .get("id");
        bo.post(
                "/api/channels/" + channel + "/messages",
                Map.of(
                        "content",
                        "hi @" + ana.get("/api/me").json().get("username") + " see https://example.com",
                        "clientMessageId",
                        "a1"));
        ana.post(
                "/api/channels/" + channel + "/messages",
                Map.of("content", "my own words about design", "clientMessageId", "a2"));

        List<String> found = new ArrayList<>();
        try (Browser browser = new Browser(port)) {
            browser.open("/");
            browser.script("localStorage.setItem('chute.token', arguments[0])", ana.token());
            browser.driver().navigate().refresh();
            browser.awaitConnection("open");
            for (String screen : List.of("#/files", "#/jobs", "#/c/" + channel, "#/search?q=design")) {
                browser.open("/" + screen);
                browser.await(By.cssSelector("main h1"));
                if (screen.startsWith("#/c/")) {
                    browser.await(By.cssSelector("article.message.mine"));
                }
                if (screen.startsWith("#/search")) {
                    browser.await(By.cssSelector(".search-result"));
                }
                browser.driver().manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
                List<Map<String, Object>> violations = (List<Map<String, Object>>)
                        ((JavascriptExecutor) browser.driver()).executeAsyncScript(axe + """
                                ;const done = arguments[arguments.length - 1];
                                axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                                  .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                                    .map(v => ({ id: v.id, impact: v.impact, targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5) }))))
                                  .catch(e => done([{ id: 'axe failed', impact: String(e), targets: [] }]));
                                """);
                violations.forEach(
                        v -> found.add(screen + ": " + v.get("id") + " (" + v.get("impact") + ") " + v.get("targets")));
            }
        }
        assertThat(found).isEmpty();
    }
}
