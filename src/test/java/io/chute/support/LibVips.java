package io.chute.support;

import io.chute.processing.image.VipsRenditions;
import java.nio.file.Path;

/** The libvips tools for tests that need them: they fail, never skip, when libvips is missing. */
public final class LibVips {

    private LibVips() {}

    /** The directory on the PATH holding {@code vips} and {@code vipsheader}. */
    public static Path tools() {
        return VipsRenditions.findTools(null)
                .orElseThrow(
                        () -> new AssertionError(
                                "the libvips tools (vips, vipsheader) are not on the PATH; install them: apt-get install libvips-tools"));
    }
}
