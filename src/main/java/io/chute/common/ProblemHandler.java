package io.chute.common;

import jakarta.servlet.http.HttpServletRequest;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.util.DisconnectedClientHelper;

/** Renders every failure as RFC 9457 problem+json; a client mistake is never a 500. */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);
    static final int BACKEND_RETRY_AFTER_SECONDS = 5;
    /** A node too busy to get a database connection in time: load comes and goes, so soon. */
    static final int OVERLOAD_RETRY_AFTER_SECONDS = 1;

    static final String OVERLOADED = "Chute is overloaded; try again shortly";

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> api(ApiException e) {
        ProblemDetail problem = Problems.of(e.status(), e.getMessage());
        if (e.type() != null) {
            problem.setType(e.type());
        }
        e.properties().forEach(problem::setProperty);
        ResponseEntity.BodyBuilder response = ResponseEntity.status(e.status());
        Object retryAfter = e.properties().get("retryAfterSeconds");
        if (retryAfter != null) {
            response.header(HttpHeaders.RETRY_AFTER, retryAfter.toString());
        }
        e.headers().forEach(response::header);
        return response.body(problem);
    }

    @ExceptionHandler(InvalidInputException.class)
    ResponseEntity<ProblemDetail> invalid(InvalidInputException e) {
        return ResponseEntity.badRequest().body(Problems.of(HttpStatus.BAD_REQUEST, e.getMessage()));
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> typeMismatch(MethodArgumentTypeMismatchException e) {
        return ResponseEntity.badRequest()
                .body(Problems.of(HttpStatus.BAD_REQUEST, "'" + e.getName() + "' has an invalid value"));
    }

    /** The client went away mid-request (a cancelled upload, a closed tab): its failure, not Chute's. */
    @ExceptionHandler(org.apache.catalina.connector.ClientAbortException.class)
    ResponseEntity<ProblemDetail> clientGone(Exception e, HttpServletRequest request) {
        log.debug("The client went away during {} {}", request.getMethod(), request.getRequestURI(), e);
        return ResponseEntity.badRequest()
                .body(Problems.of(HttpStatus.BAD_REQUEST, "The request was interrupted by the client"));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e, HttpServletRequest request) {
        org.apache.coyote.BadRequestException malformed = causeOf(e, org.apache.coyote.BadRequestException.class);
        if (malformed != null) {
            // why: Tomcat finds a broken body (a bad chunk size line) only as it is read, wherever that is, so it can
            // arrive wrapped by the store or the multipart parser; the client's mistake, not a storage failure
            log.debug(
                    "Malformed request body on {} {}: {}", request.getMethod(), request.getRequestURI(), e.toString());
            return ResponseEntity.badRequest()
                    .body(Problems.of(
                            HttpStatus.BAD_REQUEST, "The request body is malformed: " + malformed.getMessage()));
        }
        // why: before the disconnected-client check, which matches any "connection reset" in the causes: the
        // database's socket being reset is an outage to answer 503, not a client that went away
        if (DatabaseOutages.isUnreachable(e)) {
            DatabaseOutages.failed(request.getMethod() + " " + request.getRequestURI(), e);
            return DatabaseOutages.isOverloaded(e)
                    ? unavailable(OVERLOADED, OVERLOAD_RETRY_AFTER_SECONDS)
                    : unavailable("The database is unreachable; try again shortly", BACKEND_RETRY_AFTER_SECONDS);
        }
        if (DisconnectedClientHelper.isClientDisconnectedException(e)) {
            // why: a client that goes away mid-upload is routine; nothing was stored, and no one is left to answer
            log.debug(
                    "Client disconnected during {} {}: {}", request.getMethod(), request.getRequestURI(), e.toString());
            return null;
        }
        if (e instanceof UncheckedIOException storage) {
            // why: request paths wrap the object store's (or the data disk's) IOException; that is a backend
            // failing, not Chute: the client may try again, and the log gets a line, not a stack trace
            log.warn(
                    "Storage failed on {} {}: {}",
                    request.getMethod(),
                    request.getRequestURI(),
                    storage.getCause().toString());
            return unavailable("Storage is unavailable; try again shortly", BACKEND_RETRY_AFTER_SECONDS);
        }
        log.error("Unexpected failure on {} {}", request.getMethod(), request.getRequestURI(), e);
        return ResponseEntity.internalServerError()
                .body(Problems.of(HttpStatus.INTERNAL_SERVER_ERROR, "An unexpected error occurred"));
    }

    private static ResponseEntity<ProblemDetail> unavailable(String detail, int retryAfterSeconds) {
        ProblemDetail problem = Problems.of(HttpStatus.SERVICE_UNAVAILABLE, detail);
        problem.setProperty("retryAfterSeconds", retryAfterSeconds);
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfterSeconds))
                .body(problem);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        // why: a record that refuses its input in its constructor should say why, not "failed to read"
        InvalidInputException invalid = causeOf(e, InvalidInputException.class);
        String detail = invalid != null
                ? invalid.getMessage()
                : "The request body is missing or is not valid JSON of the expected shape";
        return ResponseEntity.badRequest().body(Problems.of(HttpStatus.BAD_REQUEST, detail));
    }

    @Override
    protected ResponseEntity<Object> createResponseEntity(
            Object body, HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
        if (body instanceof ProblemDetail problem
                && (problem.getType() == null
                        || "about:blank".equals(problem.getType().toString()))) {
            problem.setType(Problems.typeOf(statusCode));
        }
        return super.createResponseEntity(body, headers, statusCode, request);
    }

    private static <T extends Throwable> T causeOf(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
