package io.chute.upload;

import io.chute.common.InvalidInputException;

/** Client-supplied file names: kept for display and downloads, never used as a path. */
final class FileNames {

    static final int MAX_LENGTH = 255;

    private FileNames() {}

    /**
     * The name without any directory part a client may have sent (browsers on Windows send
     * {@code C:\...}); refuses empty, over-long, control-character and dot-only names.
     */
    static String clean(String raw) {
        String name = InvalidInputException.requireText(raw, "fileName", 4096);
        int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        name = name.substring(slash + 1).strip();
        InvalidInputException.require(
                !name.isEmpty() && !name.equals(".") && !name.equals(".."), "fileName must name a file");
        InvalidInputException.require(
                name.length() <= MAX_LENGTH, "fileName must be at most " + MAX_LENGTH + " characters");
        InvalidInputException.requireNoFormatting(name, "fileName");
        return name;
    }
}
