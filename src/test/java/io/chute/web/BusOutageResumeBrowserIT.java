package io.chute.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.Browser;
import io.chute.support.ChuteProcess;
import io.chute.support.Images;
import io.chute.support.TcpRelay;
import io.chute.support.TestBroker;
import io.chute.support.TestClient;
import io.chute.support.TestDatabase;
import io.chute.support.TestUploads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * What a person sees when RabbitMQ goes away for a moment: Ana has "My jobs" open in a real
 * Chromium; the node's bus is cut through a relay the test controls (the machine's RabbitMQ keeps
 * running; the node has its own vhost) while a photo of hers is processed, so the job's events
 * never reach her socket. Once RabbitMQ is back the node closes her socket with 4503, the web
 * client reconnects with {@code since}, and the replay puts the job on the page as COMPLETED,
 * without a reload. The jobs page learns of a job it has not listed only from its events, so
 * nothing but the resumed socket can show it.
 */
class BusOutageResumeBrowserIT {

    private static final Path AXE =
            Path.of(System.getenv().getOrDefault("CHUTE_TEST_AXE", "target/npm/node_modules/axe-core/axe.min.js"));

    /** Every socket the page opens (with its since) and every close code, in order, kept in the page. */
    private static final String SOCKET_LOG = """
            (() => {
              const Inner = window.WebSocket;
              window.__socketLog = [];
              window.WebSocket = class extends Inner {
                constructor(url, protocols) {
                  super(url, protocols);
                  window.__socketLog.push({ open: true, since: new URL(String(url)).searchParams.get('since') });
                  this.addEventListener('close', e => window.__socketLog.push({ open: false, code: e.code }));
                }
              };
            })();
            """;

    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void aJobCompletedWhileTheBusWasDownAppearsAfterTheSocketResumesWithSince() throws Exception {
        assertThat(AXE)
                .as("axe-core (npm install --prefix target/npm axe-core@4, or CHUTE_TEST_AXE)")
                .exists();
        try (TestDatabase database = TestDatabase.create();
                TestBroker broker = TestBroker.create();
                TcpRelay relay = TcpRelay.to("127.0.0.1", 5672);
                ChuteProcess chute = ChuteProcess.start(
                        dir.resolve("chute.log"),
                        "--spring.datasource.url=" + database.jdbcUrl(),
                        "--spring.datasource.username=" + database.user(),
                        "--chute.bus.type=rabbitmq",
                        "--spring.rabbitmq.host=127.0.0.1",
                        "--spring.rabbitmq.port=" + relay.port(),
                        "--spring.rabbitmq.virtual-host=" + broker.vhost(),
                        "--chute.data-dir=" + dir.resolve("data"),
                        "--chute.jobs.poll-interval=500ms");
                Browser browser = new Browser(chute.base().getPort())) {
            TestClient ana = chute.client().registerNewUser();
            Path photo = Images.jpeg(dir, 320, 240);
            ((ChromeDriver) browser.driver())
                    .executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", SOCKET_LOG));
            browser.open("/");
            browser.script("localStorage.setItem('chute.token', arguments[0])", ana.token());
            browser.open("/#/jobs").driver().navigate().refresh();
            browser.awaitConnection("open");
            browser.await(By.cssSelector("main h1"));

            // with the bus up, a job shows up live
            TestUploads.completedJob(ana, TestUploads.signedUpload(ana, photo, "before-the-cut.jpg"));
            browser.await(jobRow("before-the-cut.jpg", "COMPLETED"));
            // gone if the page were loaded again
            browser.script("window.__sameDocument = true");
            int before = ((List<?>) browser.script("return window.__socketLog")).size();

            relay.cut();
            TestUploads.completedJob(ana, TestUploads.signedUpload(ana, photo, "during-the-outage.jpg"));
            assertThat(browser.all(jobRow("during-the-outage.jpg", "COMPLETED")))
                    .as("its events could not reach the socket")
                    .isEmpty();
            relay.restore();

            // a generous bound: the client's connection recovery, then the web client's reconnect backoff
            browser.until(
                    Duration.ofSeconds(90),
                    ExpectedConditions.visibilityOfElementLocated(jobRow("during-the-outage.jpg", "COMPLETED")));
            assertThat(browser.script("return window.__sameDocument"))
                    .as("the page was not reloaded")
                    .isEqualTo(true);
            List<Map<String, Object>> log = (List<Map<String, Object>>) browser.script("return window.__socketLog");
            List<Map<String, Object>> sinceCut = log.subList(before, log.size());
            int closed = indexOf(sinceCut, e -> Boolean.FALSE.equals(e.get("open")));
            assertThat(closed).as("a close after the cut: " + sinceCut).isNotNegative();
            assertThat(((Number) sinceCut.get(closed).get("code")).intValue())
                    .as("the first close after the cut: " + sinceCut)
                    .isEqualTo(4503);
            assertThat(sinceCut.subList(closed + 1, sinceCut.size()))
                    .as("the sockets opened after the 4503: " + sinceCut)
                    .isNotEmpty()
                    .first()
                    .satisfies(reopened -> {
                        assertThat(reopened).containsEntry("open", true);
                        assertThat((String) reopened.get("since")).as("since").matches("\\d+");
                    });
            browser.screenshot("bus-outage-resume");
            assertThat(axeViolations(browser)).isEmpty();
        }
    }

    private static By jobRow(String fileName, String status) {
        return By.xpath(
                "//tr[@data-status='" + status + "'][.//span[@class='file-name' and text()='" + fileName + "']]");
    }

    private static int indexOf(List<Map<String, Object>> log, java.util.function.Predicate<Map<String, Object>> test) {
        for (int i = 0; i < log.size(); i++) {
            if (test.test(log.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** The serious or critical WCAG 2.1 A/AA violations axe-core finds on the page, as in {@link AccessibilityIT}. */
    @SuppressWarnings("unchecked")
    private static List<String> axeViolations(Browser browser) throws Exception {
        String axe = Files.readString(AXE);
        browser.driver().manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
        List<Map<String, Object>> violations =
                (List<Map<String, Object>>) ((JavascriptExecutor) browser.driver()).executeAsyncScript(axe + """
                        ;const done = arguments[arguments.length - 1];
                        axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                          .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                            .map(v => ({ id: v.id, impact: v.impact, targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5) }))))
                          .catch(e => done([{ id: 'axe failed', impact: String(e), targets: [] }]));
                        """);
        return violations.stream()
                .map(v -> v.get("id") + " (" + v.get("impact") + ") " + v.get("targets"))
                .toList();
    }
}
