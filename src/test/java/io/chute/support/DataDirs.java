package io.chute.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Fresh {@code chute.data-dir}s for tests that run Chute with settings of their own. */
public final class DataDirs {

    private DataDirs() {}

    public static Path fresh(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
