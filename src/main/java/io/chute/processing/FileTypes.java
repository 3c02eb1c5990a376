package io.chute.processing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import org.apache.tika.Tika;
import org.springframework.stereotype.Component;

/**
 * Recognises a file by its bytes (Tika's magic-byte detection), never by its name or declared
 * type, and says which job type processes it.
 */
@Component
public class FileTypes {

    /** Detected media type → job type. Only these are accepted. */
    private static final Map<String, String> JOB_TYPES = Map.of(
            "image/jpeg", "image",
            "image/png", "image",
            "image/webp", "image",
            "image/gif", "image",
            "image/bmp", "image");

    private final Tika tika = new Tika();

    /** The media type of the bytes {@code in} starts with; reads only a prefix and does not close {@code in}. */
    public String detect(InputStream in) throws IOException {
        InputStream marked = in.markSupported() ? in : new BufferedInputStream(in, 64 * 1024);
        return tika.detect(marked);
    }

    /** The job type for a detected media type, empty when Chute does not accept it. */
    public Optional<String> jobTypeFor(String mediaType) {
        return Optional.ofNullable(JOB_TYPES.get(mediaType));
    }

    /** The accepted media types, for error messages. */
    public String accepted() {
        return String.join(", ", JOB_TYPES.keySet().stream().sorted().toList());
    }
}
