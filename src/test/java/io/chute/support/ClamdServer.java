package io.chute.support;

import static org.awaitility.Awaitility.await;

import io.chute.processing.scan.ClamAvClient;
import io.chute.processing.scan.ClamAvException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real ClamAV {@code clamd} for tests, run as a child process in the foreground with a config
 * and a signature database of its own in a temp dir: one signature, {@value #SIGNATURE}, which
 * matches the EICAR test file anywhere in a stream (an {@code .ndb} body signature at offset
 * {@code *}; clamd loads it without any official database and reports it as
 * {@code Eicar-Test-Signature.UNOFFICIAL}). It listens on a free port of 127.0.0.1 and never
 * touches the machine's clamd, its config or freshclam.
 *
 * <p>Needs the {@code clamd} binary (Debian: {@code clamav-daemon}) on the PATH, in
 * {@code /usr/sbin}, or named by {@code CHUTE_TEST_CLAMD}. A missing clamd fails the test: it is
 * never skipped.
 */
public final class ClamdServer implements AutoCloseable {

    /** The name under which this server reports the EICAR test file. */
    public static final String SIGNATURE = "Eicar-Test-Signature";

    private static final Duration STARTUP = Duration.ofSeconds(60);

    private final Path dir;
    private final Path config;
    private final int port;
    private final Thread killOnExit;
    private Process process;

    private ClamdServer(Path dir, Path config, int port) {
        this.dir = dir;
        this.config = config;
        this.port = port;
        this.killOnExit = new Thread(() -> {
            Process p = process;
            if (p != null) {
                p.destroyForcibly();
            }
        });
    }

    /**
     * Starts a clamd that refuses streams longer than {@code streamMaxLength} (clamd's syntax,
     * e.g. {@code 1M}) and waits until it answers PING.
     */
    public static ClamdServer start(String streamMaxLength) {
        try {
            Path dir = Files.createTempDirectory("chute-clamd-");
            Path db = Files.createDirectories(dir.resolve("db"));
            Path tmp = Files.createDirectories(dir.resolve("tmp"));
            // name:target type (0 = any file):offset (* = anywhere):hex body
            Files.writeString(db.resolve("chute-test.ndb"), SIGNATURE + ":0:*:" + Eicar.hex() + "\n");
            int port = freePort();
            Path config = Files.writeString(
                    dir.resolve("clamd.conf"),
                    String.join(
                            "\n",
                            "Foreground yes",
                            "DatabaseDirectory " + db,
                            "TemporaryDirectory " + tmp,
                            "LogFile " + dir.resolve("clamd.log"),
                            "TCPAddr 127.0.0.1",
                            "TCPSocket " + port,
                            "StreamMaxLength " + streamMaxLength,
                            ""));
            ClamdServer server = new ClamdServer(dir, config, port);
            Runtime.getRuntime().addShutdownHook(server.killOnExit);
            server.restart();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** A client of this server with the given read timeout and chunk size. */
    public ClamAvClient client(Duration readTimeout, int chunkSize) {
        return new ClamAvClient("127.0.0.1", port, Duration.ofSeconds(2), readTimeout, chunkSize);
    }

    /** A client of this server with a 30 s read timeout and 64 KiB chunks. */
    public ClamAvClient client() {
        return client(Duration.ofSeconds(30), 64 * 1024);
    }

    /** Starts clamd (again, on the same port) and waits until it answers PING. */
    public synchronized void restart() {
        if (process != null && process.isAlive()) {
            return;
        }
        try {
            process = new ProcessBuilder(clamd().toString(), "--foreground", "--config-file=" + config)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            dir.resolve("clamd.out").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ClamAvClient client = client();
        Process started = process;
        await("clamd on port " + port + " answering PING")
                .atMost(STARTUP)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!started.isAlive()) {
                        throw new IllegalStateException("clamd exited with " + started.exitValue() + ":\n" + output());
                    }
                    try {
                        client.ping();
                        return true;
                    } catch (ClamAvException e) {
                        return false;
                    }
                });
    }

    /** Stops clamd (SIGTERM, as an operator would) and waits until it has exited. */
    public synchronized void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** Freezes clamd (SIGSTOP): the kernel still accepts connections, but nothing reads or answers them. */
    public void freeze() {
        signal("STOP");
    }

    /** Undoes {@link #freeze()} (SIGCONT). */
    public void thaw() {
        signal("CONT");
    }

    @Override
    public void close() {
        stop();
        Runtime.getRuntime().removeShutdownHook(killOnExit);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private synchronized void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                    .inheritIO()
                    .start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String output() throws IOException {
        Path out = dir.resolve("clamd.out");
        return Files.exists(out) ? Files.readString(out) : "";
    }

    private static Path clamd() {
        Optional<Path> named =
                Optional.ofNullable(System.getenv("CHUTE_TEST_CLAMD")).map(Path::of);
        List<String> dirs = Stream.concat(
                        Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)),
                        Stream.of("/usr/sbin", "/usr/local/sbin", "/sbin"))
                .toList();
        return named.or(() -> dirs.stream()
                        .filter(d -> !d.isEmpty())
                        .map(d -> Path.of(d, "clamd"))
                        .filter(Files::isExecutable)
                        .findFirst())
                .orElseThrow(() -> new IllegalStateException("These tests need ClamAV's clamd: install it (Debian: "
                        + "apt-get install clamav-daemon) or name the binary in CHUTE_TEST_CLAMD"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
