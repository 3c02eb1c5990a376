package io.chute.processing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.tika.Tika;
import org.apache.tika.mime.MediaType;
import org.springframework.stereotype.Component;

/**
 * Recognises a file by its bytes (Tika's magic-byte detection), never by its name or declared
 * type, and says which job type processes it: the one of the first {@link Processor} that
 * handles it, or {@link OriginalOnly}'s for a type that no processor handles.
 *
 * <p>A variant that Tika names with parameters (an RLE-compressed BMP is {@code image/bmp;
 * format=compressed}) is reported as its base type when a processor handles the base type, since
 * processors read every variant of the formats they handle; other variants keep their parameters.
 */
@Component
public class FileTypes {

    private final Tika tika = new Tika();
    private final List<Processor> processors;

    FileTypes(List<Processor> processors) {
        this.processors = processors.stream()
                .filter(p -> !Processor.ANY_JOB_TYPE.equals(p.jobType()) && !OriginalOnly.JOB_TYPE.equals(p.jobType()))
                .toList();
    }

    /** The media type of the bytes {@code in} starts with; reads only a prefix and does not close {@code in}. */
    public String detect(InputStream in) throws IOException {
        InputStream marked = in.markSupported() ? in : new BufferedInputStream(in, 64 * 1024);
        return asProcessed(tika.detect(marked));
    }

    private String asProcessed(String detected) {
        MediaType type = MediaType.parse(detected);
        if (type == null || !type.hasParameters()) {
            return detected;
        }
        String base = type.getBaseType().toString();
        return OriginalOnly.JOB_TYPE.equals(jobTypeFor(base)) ? detected : base;
    }

    /** The job type for a detected media type. */
    public String jobTypeFor(String mediaType) {
        return processors.stream()
                .filter(p -> p.handles(mediaType))
                .map(Processor::jobType)
                .findFirst()
                .orElse(OriginalOnly.JOB_TYPE);
    }
}
