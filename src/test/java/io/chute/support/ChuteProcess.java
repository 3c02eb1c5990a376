package io.chute.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;

/**
 * Chute in its own JVM, started from the test class path, so that a test can kill it with
 * SIGKILL or run several nodes side by side. Its output goes to a log file.
 */
public final class ChuteProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private ChuteProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts Chute with these {@code --name=value} arguments and waits until it is healthy. */
    public static ChuteProcess start(Path logFile, String... arguments) {
        return startWithHeap(logFile, "512m", arguments);
    }

    /** As {@link #start}, with {@code -Xmx} set to {@code maxHeap}. */
    public static ChuteProcess startWithHeap(Path logFile, String maxHeap, String... arguments) {
        return start(null, logFile, maxHeap, arguments);
    }

    /** As {@link #start}, waiting up to {@code healthTimeout} for the node to be healthy (several nodes started at once on a busy machine). */
    public static ChuteProcess start(Path logFile, Duration healthTimeout, String... arguments) {
        return start(null, logFile, "512m", List.of(), null, healthTimeout, arguments);
    }

    /** As {@link #start}, in working directory {@code workDir}: relative paths (the default {@code ./data}) are under it. */
    public static ChuteProcess startIn(Path workDir, Path logFile, String... arguments) {
        return start(workDir, logFile, "512m", arguments);
    }

    /** As {@link #startWithHeap}, with more JVM options (a GC log, a flight recording). */
    public static ChuteProcess startWithJvmOptions(
            Path logFile, String maxHeap, List<String> jvmOptions, String... arguments) {
        return start(null, logFile, maxHeap, jvmOptions, null, defaultHealthTimeout(), arguments);
    }

    /** As {@link #startWithJvmOptions}, from another class path (another build of Chute, to compare with). */
    public static ChuteProcess startFrom(
            String classPath, Path logFile, String maxHeap, List<String> jvmOptions, String... arguments) {
        return start(null, logFile, maxHeap, jvmOptions, classPath, defaultHealthTimeout(), arguments);
    }

    private static ChuteProcess start(Path workDir, Path logFile, String maxHeap, String... arguments) {
        return start(workDir, logFile, maxHeap, List.of(), null, defaultHealthTimeout(), arguments);
    }

    /** How long a node may take to become healthy: 90 s, or {@code -Dchute.process.start-timeout} seconds. */
    private static Duration defaultHealthTimeout() {
        return Duration.ofSeconds(Long.getLong("chute.process.start-timeout", 90));
    }

    private static ChuteProcess start(
            Path workDir,
            Path logFile,
            String maxHeap,
            List<String> jvmOptions,
            String classPath,
            Duration healthTimeout,
            String... arguments) {
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx" + maxHeap);
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath == null ? System.getProperty("java.class.path") : classPath);
        command.add("io.chute.ChuteApplication");
        command.add("--server.port=" + port);
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command)
                    .directory(workDir == null ? null : workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(logFile.toFile())
                    .start();
            ChuteProcess chute = new ChuteProcess(process, port, logFile);
            try {
                chute.awaitHealthy(healthTimeout);
            } catch (RuntimeException | Error e) {
                // a node that never became healthy must not outlive the test
                chute.kill();
                throw e;
            }
            return chute;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public URI base() {
        return URI.create("http://localhost:" + port);
    }

    public TestClient client() {
        return new TestClient(base());
    }

    /** SIGKILL: no shutdown hook, no drain, no lease release. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(
                    java.util.concurrent.TimeUnit.SECONDS.toMillis(40), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitHealthy(Duration timeout) {
        HttpClient http = HttpClient.newHttpClient();
        Awaitility.await("Chute on port " + port + " (log: " + log + ")")
                // why: a machine busy with other work can take longer to start a node; benchmarks there may allow more
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(250))
                .ignoreExceptions()
                .failFast("Chute exited; see " + log, () -> !process.isAlive())
                .until(() -> http.send(
                                        HttpRequest.newBuilder(base().resolve("/actuator/health"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
