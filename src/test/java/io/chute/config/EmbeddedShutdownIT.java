package io.chute.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.ChuteProcess;
import io.chute.support.TestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A zero-config node (embedded PostgreSQL) stopped the way an operator stops it (SIGTERM, Ctrl-C): the embedded
 * database must outlive everything that still uses it while the node shuts down, instead of being stopped by a
 * shutdown hook of its own at the same moment (then the node's last writes failed, each after the pool's wait).
 */
class EmbeddedShutdownIT {

    @TempDir
    Path dir;

    @Test
    void aStoppedNodeFinishesItsLastDatabaseWorkBeforeTheEmbeddedDatabaseStops() throws Exception {
        Path home = Files.createDirectories(dir.resolve("node"));
        Path log = dir.resolve("chute.log");
        try (ChuteProcess chute = ChuteProcess.startIn(home, log)) {
            TestClient alice = chute.client().registerNewUser();
            assertThat(alice.get("/api/me").status()).isEqualTo(200);
        }

        List<String> lines = Files.readAllLines(log);
        List<String> shutdown = lines.subList(indexOf(lines, "Commencing graceful shutdown"), lines.size());
        assertThat(shutdown)
                .as("the log from the start of the shutdown")
                .noneMatch(line -> line.contains(" WARN ") || line.contains(" ERROR "))
                .anyMatch(line -> line.contains("chute-embedded - Shutdown completed"));
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        throw new AssertionError("no line with \"" + text + "\" in the log");
    }
}
