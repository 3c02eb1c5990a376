package io.chute.processing;

import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs one external command to its end, within a deadline, and never leaves it behind: on
 * timeout or interrupt the process and its descendants are killed. Its output goes to files in
 * a working directory, not pipes, so nothing has to drain them and a stray grandchild holding
 * them open cannot block the caller.
 */
public final class ChildProcess {

    private static final int MAX_CAPTURED_CHARS = 64 * 1024;
    private static final int MAX_ERROR_LINE = 300;
    private static final Duration REAP_WAIT = Duration.ofSeconds(5);
    private static final Duration TICK = Duration.ofMillis(500);

    /**
     * How a command ended.
     *
     * @param exitCode  the exit status; 128 + n when killed by signal n
     * @param output    the start of its standard output (at most 64 KiB), for short answers
     * @param errorLine the first non-blank line of its standard error, or empty
     */
    public record Result(int exitCode, String output, String errorLine) {

        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    private ChildProcess() {}

    /**
     * Runs {@code command} in {@code workDir} with {@code environment} added to the JVM's.
     *
     * @throws IOException            if it cannot be started (e.g. the program is missing) or did
     *                                not finish within {@code timeout} (it was killed)
     * @throws InterruptedIOException if the calling thread was interrupted (it was killed); the
     *                                thread's interrupt flag is set again
     */
    public static Result run(List<String> command, Map<String, String> environment, Path workDir, Duration timeout)
            throws IOException {
        return run(command, environment, workDir, timeout, () -> {});
    }

    /**
     * As {@link #run(List, Map, Path, Duration)}, calling {@code whileRunning} about every half
     * second until the command ends (to report its progress, for instance).
     */
    public static Result run(
            List<String> command,
            Map<String, String> environment,
            Path workDir,
            Duration timeout,
            Runnable whileRunning)
            throws IOException {
        Path out = Files.createTempFile(workDir, "stdout-", ".txt");
        Path err = Files.createTempFile(workDir, "stderr-", ".txt");
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            boolean finished = false;
            try {
                // why: nothing is ever fed to it; a closed stdin makes any attempt to read end at once
                process.getOutputStream().close();
                long deadline = System.nanoTime() + timeout.toNanos();
                for (long left; !finished && (left = deadline - System.nanoTime()) > 0; ) {
                    finished = process.waitFor(Math.min(left, TICK.toNanos()), TimeUnit.NANOSECONDS);
                    if (!finished) {
                        whileRunning.run();
                    }
                }
            } catch (InterruptedException e) {
                kill(process);
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(programName(command) + " was interrupted and killed");
            } finally {
                if (!finished) {
                    kill(process);
                }
            }
            if (!finished) {
                throw new IOException(programName(command) + " did not finish within " + timeout + " and was killed");
            }
            return new Result(process.exitValue(), head(out), firstLine(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * The absolute path of executable {@code program} in {@code directory}, or on the {@code PATH}
     * when {@code directory} is null; empty when it is not there.
     */
    public static Optional<Path> findProgram(String program, Path directory) {
        Stream<Path> candidates = directory != null
                ? Stream.of(directory)
                : Stream.of(System.getenv()
                                .getOrDefault("PATH", "/usr/bin:/bin")
                                .split(File.pathSeparator))
                        .filter(entry -> !entry.isBlank())
                        .map(Path::of);
        return candidates
                .map(d -> d.resolve(program))
                .filter(Files::isExecutable)
                .map(p -> p.toAbsolutePath().normalize())
                .findFirst();
    }

    private static void kill(Process process) {
        // why: list descendants before the parent dies; afterwards they are re-parented and
        // no longer reachable from it (a wrapper script's own children, for instance)
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(REAP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String programName(List<String> command) {
        return Path.of(command.getFirst()).getFileName().toString();
    }

    private static String head(Path file) throws IOException {
        // why: an InputStreamReader replaces malformed bytes; Files.newBufferedReader would throw on them
        try (Reader reader = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8)) {
            char[] buffer = new char[MAX_CAPTURED_CHARS];
            int length = 0;
            for (int n; length < buffer.length && (n = reader.read(buffer, length, buffer.length - length)) > 0; ) {
                length += n;
            }
            return new String(buffer, 0, length);
        }
    }

    private static String firstLine(Path file) throws IOException {
        // why: head() is bounded, so a process that floods stderr costs no more than its start
        return head(file)
                .lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty())
                .findFirst()
                .map(line -> line.length() > MAX_ERROR_LINE ? line.substring(0, MAX_ERROR_LINE) + "…" : line)
                .orElse("");
    }
}
