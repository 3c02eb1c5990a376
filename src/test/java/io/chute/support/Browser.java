package io.chute.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium (its own profile, so its own localStorage: one signed-in user) driving
 * Chute's web client. Needs Debian's {@code chromium} and {@code chromium-driver}, or
 * {@code CHUTE_TEST_CHROMIUM} and {@code CHUTE_TEST_CHROMEDRIVER} naming the binaries.
 */
public final class Browser implements AutoCloseable {

    public static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private final ChromeDriver driver;
    private final String base;
    private final Path downloads;

    public Browser(int port) {
        this.base = "http://localhost:" + port;
        try {
            this.downloads = Files.createTempDirectory("chute-downloads-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(executable("CHUTE_TEST_CHROMIUM", "/usr/bin/chromium"));
        // why: root in a container has no user namespace sandbox, and /dev/shm is small there
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--window-size=1280,860",
                "--lang=en-US",
                "--hide-scrollbars");
        options.setExperimentalOption(
                "prefs",
                Map.of(
                        "download.default_directory", downloads.toString(),
                        "download.prompt_for_download", false,
                        "safebrowsing.enabled", false));
        // why: an alert must stay open so that a test can see it, not be dismissed by the driver
        options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(executable("CHUTE_TEST_CHROMEDRIVER", "/usr/bin/chromedriver")))
                .build();
        this.driver = new ChromeDriver(service, options);
        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", NETWORK_SWITCH));
    }

    private static String executable(String variable, String fallback) {
        String path = System.getenv().getOrDefault(variable, fallback);
        if (!Files.isExecutable(Path.of(path))) {
            throw new IllegalStateException(
                    path + " is missing: the browser tests need Debian's chromium and chromium-driver "
                            + "(apt-get install chromium chromium-driver), or " + variable + " naming it");
        }
        return path;
    }

    public WebDriver driver() {
        return driver;
    }

    public Browser open(String path) {
        driver.get(base + path);
        return this;
    }

    public Browser phoneSize() {
        driver.manage().window().setSize(new Dimension(375, 812));
        return this;
    }

    /** Creates an account through the sign-in page and waits for the signed-in shell. */
    public Browser signUp(String username, String displayName) {
        open("/");
        click(By.id("auth-switch"));
        type(By.id("username"), username);
        type(By.id("displayName"), displayName);
        type(By.id("password"), "password-" + username);
        click(By.id("auth-submit"));
        await(By.id("sign-out"));
        return this;
    }

    public WebElement await(By by) {
        return until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    public <T> T until(Function<WebDriver, T> condition) {
        return until(Duration.ofSeconds(30), condition);
    }

    public <T> T until(Duration timeout, Function<WebDriver, T> condition) {
        // why: the page re-renders lists as events arrive, so an element found a moment ago may be gone
        return new WebDriverWait(driver, timeout, Duration.ofMillis(100))
                .ignoring(StaleElementReferenceException.class)
                .until(condition);
    }

    /** Clicks the element once it can be clicked; an element re-rendered meanwhile is looked up again. */
    public void click(By by) {
        until(d -> {
            WebElement element = ExpectedConditions.elementToBeClickable(by).apply(d);
            if (element == null) {
                return false;
            }
            element.click();
            return true;
        });
    }

    public void type(By by, String text) {
        WebElement field = await(by);
        field.clear();
        field.sendKeys(text);
    }

    public List<WebElement> all(By by) {
        return driver.findElements(by);
    }

    /** Gives files to a file input, as picking them in the dialog would. */
    public void pick(By input, Path... files) {
        WebElement element = until(ExpectedConditions.presenceOfElementLocated(input));
        element.sendKeys(String.join(
                "\n",
                java.util.Arrays.stream(files)
                        .map(p -> p.toAbsolutePath().toString())
                        .toList()));
    }

    /**
     * Drops a file on {@code target} as a drag from the desktop would: a DataTransfer holding a
     * File made in the page, then dragenter, dragover and drop events.
     */
    public void drop(By target, String fileName, String contentType, byte[] content) {
        WebElement element = await(target);
        script(
                """
                const [target, name, type, base64] = arguments;
                const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
                const transfer = new DataTransfer();
                transfer.items.add(new File([bytes], name, { type }));
                for (const kind of ['dragenter', 'dragover', 'drop']) {
                  target.dispatchEvent(new DragEvent(kind, { bubbles: true, cancelable: true, dataTransfer: transfer }));
                }
                """,
                element,
                fileName,
                contentType,
                java.util.Base64.getEncoder().encodeToString(content));
    }

    /**
     * Drops the page's WebSockets and makes new ones fail, as a lost network would
     * ({@code down}); or lets them connect again. Chromium's network emulation leaves open
     * WebSockets alone, so the page's WebSocket constructor is wrapped before any script runs.
     */
    public void network(boolean up) {
        script(up ? "window.__network.up()" : "window.__network.down()");
    }

    /** Takes HTTP requests off the network (they fail as they would offline), or puts them back; open sockets stay. */
    public void http(boolean up) {
        driver.executeCdpCommand("Network.enable", Map.of());
        driver.executeCdpCommand(
                "Network.emulateNetworkConditions",
                Map.of("offline", !up, "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1));
    }

    /** Limits what the page may send to {@code bytesPerSecond} (uploads crawl), or lifts the limit with -1. */
    public void uploadThroughput(long bytesPerSecond) {
        driver.executeCdpCommand("Network.enable", Map.of());
        driver.executeCdpCommand(
                "Network.emulateNetworkConditions",
                Map.of("offline", false, "latency", 0, "downloadThroughput", -1, "uploadThroughput", bytesPerSecond));
    }

    /**
     * Grants this origin the notifications permission (as a person clicking "Allow" would) and keeps
     * the title and body of every notification the page shows in the origin's localStorage, from
     * the next page load on, so that another tab of the origin can read them while the page's tab is
     * hidden; see {@link #notifications()}.
     */
    public void allowNotifications() {
        driver.executeCdpCommand(
                "Browser.grantPermissions", Map.of("origin", base, "permissions", List.of("notifications")));
        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", """
                (() => {
                  const Native = window.Notification;
                  if (!Native) return;
                  window.Notification = class extends Native {
                    constructor(title, options) {
                      super(title, options);
                      const shown = JSON.parse(localStorage.getItem('chute.test.notifications') ?? '[]');
                      shown.push({ title, body: options?.body ?? '' });
                      localStorage.setItem('chute.test.notifications', JSON.stringify(shown));
                    }
                  };
                })();
                """));
    }

    /** The notifications shown by any tab of the origin, as "title: body". */
    @SuppressWarnings("unchecked")
    public List<String> notifications() {
        return ((List<Map<String, Object>>)
                        script("return JSON.parse(localStorage.getItem('chute.test.notifications') ?? '[]')"))
                .stream().map(n -> n.get("title") + ": " + n.get("body")).toList();
    }

    private static final String NETWORK_SWITCH = """
            (() => {
              const Native = window.WebSocket;
              const sockets = new Set();
              let down = false;
              window.__network = {
                down() { down = true; sockets.forEach(s => s.close(4000, 'network lost')); },
                up() { down = false; },
              };
              window.WebSocket = class extends Native {
                constructor(url, protocols) {
                  super(down ? 'ws://127.0.0.1:9/' : url, protocols);
                  sockets.add(this);
                  this.addEventListener('close', () => sockets.delete(this));
                }
              };
            })();
            """;

    /** Waits for the live connection's indicator to show that state (open, connecting, closed). */
    public void awaitConnection(String state) {
        await(By.cssSelector("#connection[data-state='" + state + "']"));
    }

    public Object script(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    public boolean alertShown() {
        try {
            driver.switchTo().alert();
            return true;
        } catch (NoAlertPresentException e) {
            return false;
        }
    }

    /** Saves a PNG of the viewport as target/screenshots/{name}.png. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first file the browser finished downloading whose name ends with {@code suffix}. */
    public Path downloaded(String suffix) {
        return until(Duration.ofSeconds(30), d -> {
            try (var files = Files.list(downloads)) {
                List<Path> all = files.toList();
                // why: Chromium reserves the final name with an empty file while the bytes still go to .crdownload
                if (all.stream().anyMatch(f -> f.getFileName().toString().endsWith(".crdownload"))) {
                    return null;
                }
                return all.stream()
                        .filter(f -> f.getFileName().toString().endsWith(suffix))
                        .findFirst()
                        .orElse(null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public void close() {
        driver.quit();
    }
}
