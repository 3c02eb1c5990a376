package io.chute.storage;

import io.chute.config.ChuteProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Removes what a killed node left in the data dir's scratch places: partial objects in
 * {@code objects/.tmp} (PUTs and writes cut off mid-stream) and the job work directories under
 * {@code tmp}. Runs on every node, every ten minutes, and removes an entry once nothing in it has
 * been written for {@link #maxAge}: at least an hour, and twice the longest job timeout, so that
 * no running job's scratch file and no upload still streaming (each write moves its time) can
 * be that old.
 *
 * <p>By age rather than by owner: a node's files could carry its id, but a restarted node gets a
 * new id, so its own leftovers would look like another's anyway, and age alone also covers what
 * a live node leaked; nodes sharing a data dir (a shared volume) then sweep each other's
 * leftovers safely.
 */
@Component
class TempFileSweep {

    private static final Logger log = LoggerFactory.getLogger(TempFileSweep.class);
    static final Duration MIN_AGE = Duration.ofHours(1);

    private final List<Path> roots;
    private final Duration maxAge;

    TempFileSweep(ChuteProperties properties) {
        Path data = properties.dataDir();
        this.roots = List.of(data.resolve("objects").resolve(".tmp"), data.resolve("tmp"));
        ChuteProperties.Jobs jobs = properties.jobs();
        Duration longest = jobs.types().keySet().stream()
                .map(jobs::timeoutOf)
                .reduce(jobs.timeout(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
        Duration twice = longest.multipliedBy(2);
        this.maxAge = twice.compareTo(MIN_AGE) > 0 ? twice : MIN_AGE;
    }

    Duration maxAge() {
        return maxAge;
    }

    @Scheduled(initialDelay = 60_000, fixedDelay = 600_000)
    void sweep() {
        try {
            int removed = sweep(Instant.now().minus(maxAge));
            if (removed > 0) {
                log.info(
                        "Removed {} scratch files and directories untouched for {} (left by a stopped node)",
                        removed,
                        maxAge);
            }
        } catch (RuntimeException e) {
            log.warn("Scratch file sweep failed; trying again at the next one: {}", e.toString());
        }
    }

    /** Removes every entry of the scratch roots in which nothing was written since {@code cutoff}; returns how many. */
    int sweep(Instant cutoff) {
        int removed = 0;
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> entries = Files.list(root)) {
                for (Path entry : entries.toList()) {
                    if (lastWrite(entry).toInstant().isBefore(cutoff) && remove(entry)) {
                        removed++;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return removed;
    }

    /** The latest modification time of {@code entry} and, for a directory, of anything in it. */
    private static FileTime lastWrite(Path entry) {
        try (Stream<Path> tree = Files.walk(entry)) {
            return tree.map(TempFileSweep::modified)
                    .max(Comparator.naturalOrder())
                    .orElse(FileTime.fromMillis(0));
        } catch (IOException | UncheckedIOException e) {
            // gone meanwhile (its owner removed it), or unreadable: leave it to the next sweep
            return FileTime.from(Instant.now());
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (NoSuchFileException e) {
            return FileTime.fromMillis(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean remove(Path entry) {
        try (Stream<Path> tree = Files.walk(entry)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
            return true;
        } catch (IOException | UncheckedIOException e) {
            log.debug("Could not remove {}: {}", entry, e.toString());
            return false;
        }
    }
}
