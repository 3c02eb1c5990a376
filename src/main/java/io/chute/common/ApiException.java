package io.chute.common;

import java.net.URI;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * A client-facing failure with its HTTP status, rendered as {@code application/problem+json}.
 * Use the factory methods; {@code detail} must be safe to show to the caller.
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final Map<String, Object> properties;
    private final URI type;

    public ApiException(HttpStatus status, String detail) {
        this(status, detail, Map.of());
    }

    public ApiException(HttpStatus status, String detail, Map<String, Object> properties) {
        this(status, detail, properties, null);
    }

    /** With a problem {@code type} of its own instead of the status's (null: the status's). */
    public ApiException(HttpStatus status, String detail, Map<String, Object> properties, URI type) {
        super(detail);
        this.status = status;
        this.properties = Map.copyOf(properties);
        this.type = type;
    }

    /** Response header fields to send with the problem (besides {@code Retry-After}, from {@code retryAfterSeconds}). */
    public Map<String, String> headers() {
        return Map.of();
    }

    /** The problem type, or null for the one of {@link #status()}. */
    public URI type() {
        return type;
    }

    /** 413 with a type ending in {@code /quota-exceeded}, so clients can tell it from a file over the size limit. */
    public static ApiException quotaExceeded(String detail, Map<String, Object> properties) {
        return new ApiException(
                HttpStatus.CONTENT_TOO_LARGE,
                detail,
                properties,
                URI.create(Problems.typeOf(HttpStatus.CONTENT_TOO_LARGE) + "/quota-exceeded"));
    }

    /**
     * 400 with a type ending in {@code /digest-mismatch}: the body is not the one whose SHA-256 was
     * declared, so a client can send the bytes again (they were damaged on the way) rather than give up.
     */
    public static ApiException digestMismatch(String detail) {
        return new ApiException(
                HttpStatus.BAD_REQUEST,
                detail,
                Map.of(),
                URI.create(Problems.typeOf(HttpStatus.BAD_REQUEST) + "/digest-mismatch"));
    }

    public HttpStatus status() {
        return status;
    }

    public Map<String, Object> properties() {
        return properties;
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, detail);
    }

    public static ApiException notFound(String what) {
        return new ApiException(HttpStatus.NOT_FOUND, what + " not found");
    }

    public static ApiException conflict(String detail) {
        return new ApiException(HttpStatus.CONFLICT, detail);
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(HttpStatus.FORBIDDEN, detail);
    }

    public static ApiException tooLarge(String detail) {
        return new ApiException(HttpStatus.CONTENT_TOO_LARGE, detail);
    }

    public static ApiException unsupportedType(String detail) {
        return new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, detail);
    }

    public static ApiException unauthorized(String detail) {
        return new ApiException(HttpStatus.UNAUTHORIZED, detail);
    }
}
