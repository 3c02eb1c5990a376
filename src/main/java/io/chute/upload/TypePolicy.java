package io.chute.upload;

import io.chute.common.ApiException;
import io.chute.config.ChuteProperties;
import java.util.List;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;

/**
 * Which file types an upload may have: {@code chute.uploads.allowed-types} (default every type)
 * less {@code chute.uploads.denied-types}, each a media type or a {@code type/*} pattern. Applied to
 * the declared type before any byte is sent, and to the type detected from the bytes.
 */
@Component
public class TypePolicy {

    private final List<MediaType> allowed;
    private final List<MediaType> denied;

    @Autowired
    TypePolicy(ChuteProperties properties) {
        this(properties.uploads().allowedTypes(), properties.uploads().deniedTypes());
    }

    TypePolicy(List<String> allowed, List<String> denied) {
        this.allowed = parse(allowed, "allowed-types");
        this.denied = parse(denied, "denied-types");
    }

    /** True if a file of {@code mediaType} may be uploaded; a type that does not parse is judged as octets. */
    public boolean accepts(String mediaType) {
        MediaType type = parseOrOctets(mediaType);
        return allowed.stream().anyMatch(a -> a.includes(type))
                && denied.stream().noneMatch(d -> d.includes(type));
    }

    /** Refuses with 415 a file of {@code mediaType} that may not be uploaded. */
    void require(String mediaType, String what) {
        if (!accepts(mediaType)) {
            throw ApiException.unsupportedType(what + " is " + mediaType + ", a type this server does not accept");
        }
    }

    /** The patterns as configured, for clients that check before sending. */
    public List<String> allowedPatterns() {
        return allowed.stream().map(MediaType::toString).toList();
    }

    public List<String> deniedPatterns() {
        return denied.stream().map(MediaType::toString).toList();
    }

    private static List<MediaType> parse(List<String> patterns, String property) {
        try {
            return patterns.stream()
                    .map(String::strip)
                    .filter(p -> !p.isEmpty())
                    .map(MediaType::parseMediaType)
                    .toList();
        } catch (InvalidMediaTypeException e) {
            throw new IllegalArgumentException(
                    "chute.uploads." + property + " holds an invalid media type: " + e.getMessage());
        }
    }

    private static MediaType parseOrOctets(String mediaType) {
        try {
            return mediaType == null ? MediaType.APPLICATION_OCTET_STREAM : MediaType.parseMediaType(mediaType);
        } catch (InvalidMediaTypeException e) {
            return MediaType.APPLICATION_OCTET_STREAM;
        }
    }
}
