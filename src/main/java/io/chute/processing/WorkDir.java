package io.chute.processing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A scratch directory for one job's child processes, removed with all it holds on close. */
public final class WorkDir implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkDir.class);

    private final Path path;

    private WorkDir(Path path) {
        this.path = path;
    }

    /** A new directory {@code prefix…} under {@code root} (created if missing); its path is absolute. */
    public static WorkDir create(Path root, String prefix) throws IOException {
        return new WorkDir(
                Files.createTempDirectory(Files.createDirectories(root), prefix).toAbsolutePath());
    }

    public Path path() {
        return path;
    }

    public Path resolve(String name) {
        return path.resolve(name);
    }

    @Override
    public void close() {
        try (Stream<Path> paths = Files.walk(path)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("Could not remove {}: {}", path, e.toString());
        }
    }
}
