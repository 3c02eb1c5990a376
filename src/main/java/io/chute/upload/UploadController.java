package io.chute.upload;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.chute.auth.CurrentUser;
import io.chute.common.ApiException;
import io.chute.common.InvalidInputException;
import io.chute.common.Sha256;
import io.chute.config.ChuteProperties;
import io.chute.config.ConditionalOnRole;
import io.chute.job.Job;
import io.chute.job.JobStatus;
import io.chute.ratelimit.RateLimits;
import io.chute.storage.ObjectStore;
import io.chute.storage.PublicUrls;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.commons.fileupload2.core.FileUploadException;
import org.apache.commons.fileupload2.jakarta.servlet6.JakartaServletFileUpload;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
@ConditionalOnRole("api")
class UploadController {

    private final UploadService uploads;
    private final UploadMetrics metrics;
    private final RateLimits limits;
    private final ClientConfig config;

    UploadController(
            UploadService uploads,
            UploadMetrics metrics,
            RateLimits limits,
            ChuteProperties properties,
            TypePolicy policy) {
        this.uploads = uploads;
        this.metrics = metrics;
        this.limits = limits;
        this.config = new ClientConfig(new UploadLimits(
                properties.uploads().maxSize().toBytes(),
                properties.storage().multipartThreshold().toBytes(),
                policy.allowedPatterns(),
                policy.deniedPatterns()));
    }

    /** What a client checks before sending a file, so that nothing is refused after its bytes were sent. */
    record ClientConfig(UploadLimits uploads) {}

    record UploadLimits(long maxSize, long multipartThreshold, List<String> allowedTypes, List<String> deniedTypes) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SignedUpload(
            UUID uploadId,
            String method,
            String url,
            Map<String, String> headers,
            Multipart multipart,
            Instant expiresAt) {}

    /** The part plan of a multipart upload: every part is {@code partSize} bytes, the last one the rest. */
    record Multipart(long partSize, int partCount) {

        static Multipart of(Upload u) {
            return u.isMultipart() ? new Multipart(u.partSize(), u.partCount()) : null;
        }
    }

    /** Part numbers to sign and, optionally, the SHA-256 (hex) of some of them, keyed by part number. */
    record PartsRequest(List<Integer> partNumbers, Map<String, String> sha256) {

        Map<Integer, String> digests() {
            Map<Integer, String> digests = new HashMap<>();
            if (sha256 != null) {
                sha256.forEach((part, hex) -> {
                    InvalidInputException.require(
                            part != null && part.matches("[1-9][0-9]{0,4}"), "sha256 must be keyed by part number");
                    digests.put(Integer.parseInt(part), Sha256.optionalHex(hex, "sha256 of part " + part));
                });
            }
            return digests;
        }
    }

    record SignedPart(int partNumber, String url, Map<String, String> headers) {}

    record SignedParts(List<SignedPart> parts) {}

    record StoredParts(List<ObjectStore.StoredPart> parts) {}

    record PartRef(Integer partNumber, String etag) {}

    record CompleteRequest(List<PartRef> parts) {}

    record Accepted(UUID jobId, UUID uploadId, JobStatus status, String statusUrl) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record UploadView(
            UUID uploadId,
            String fileName,
            long size,
            String contentType,
            String detectedType,
            UploadState state,
            Instant createdAt,
            UUID jobId,
            Multipart multipart,
            String sha256) {}

    @GetMapping("/api/config")
    ClientConfig config() {
        return config;
    }

    @PostMapping("/api/uploads")
    ResponseEntity<SignedUpload> sign(@RequestBody UploadRequest body, CurrentUser caller) {
        limits.consume(RateLimits.Limit.UPLOADS_USER, caller.id().toString());
        UploadService.Signed signed = uploads.sign(caller, body);
        var created = ResponseEntity.created(
                URI.create("/api/uploads/" + signed.upload().id()));
        if (signed.request() == null) {
            return created.body(new SignedUpload(
                    signed.upload().id(),
                    null,
                    null,
                    null,
                    Multipart.of(signed.upload()),
                    signed.upload().expiresAt()));
        }
        return created.body(new SignedUpload(
                signed.upload().id(),
                signed.request().method(),
                PublicUrls.absolute(signed.request().url()).toString(),
                signed.request().headers(),
                null,
                signed.upload().expiresAt()));
    }

    @PostMapping("/api/uploads/{id}/parts")
    SignedParts signParts(@PathVariable UUID id, @RequestBody PartsRequest body, CurrentUser caller) {
        return new SignedParts(uploads
                .signParts(
                        caller, id, body == null ? null : body.partNumbers(), body == null ? Map.of() : body.digests())
                .stream()
                .map(p -> new SignedPart(
                        p.partNumber(),
                        PublicUrls.absolute(p.request().url()).toString(),
                        p.request().headers()))
                .toList());
    }

    @GetMapping("/api/uploads/{id}/parts")
    StoredParts parts(@PathVariable UUID id, CurrentUser caller) {
        return new StoredParts(uploads.listParts(caller, id));
    }

    /** The body is only needed for a multipart upload: the part list with the ETags the part PUTs answered. */
    @PostMapping("/api/uploads/{id}/complete")
    ResponseEntity<Accepted> complete(
            @PathVariable UUID id, @RequestBody(required = false) CompleteRequest body, CurrentUser caller) {
        List<ObjectStore.PartETag> parts = null;
        if (body != null && body.parts() != null) {
            parts = body.parts().stream()
                    .map(p -> {
                        if (p == null || p.partNumber() == null) {
                            throw ApiException.badRequest("Every part needs a partNumber");
                        }
                        return new ObjectStore.PartETag(p.partNumber(), p.etag());
                    })
                    .toList();
        }
        List<ObjectStore.PartETag> etags = parts;
        return accepted(metrics.refusalsCounted(UploadMetrics.Lane.SIGNED, () -> uploads.complete(caller, id, etags)));
    }

    /**
     * The direct lane: a {@code multipart/form-data} body whose {@code file} part is streamed to
     * storage as it arrives (the servlet container's own multipart parsing is off, so there is no
     * temporary copy and no buffering of the whole file).
     */
    @PostMapping("/api/upload")
    ResponseEntity<Accepted> direct(HttpServletRequest request, CurrentUser caller) throws IOException {
        if (!JakartaServletFileUpload.isMultipartContent(request)) {
            throw ApiException.unsupportedType("Send the file as multipart/form-data in a field named 'file'");
        }
        uploads.refuseOversizedBody(caller, request.getContentLengthLong());
        JakartaServletFileUpload<?, ?> parser = new JakartaServletFileUpload<>();
        byte[] boundary = parser.getBoundary(request.getContentType());
        if (boundary == null || boundary.length == 0 || boundary.length > 70) {
            throw ApiException.badRequest("The multipart body is malformed: its Content-Type has no valid boundary");
        }
        Charset headerCharset = request.getCharacterEncoding() == null
                ? StandardCharsets.UTF_8
                : charset(request.getCharacterEncoding());
        var parts = new FormParts(request.getInputStream(), boundary, parser, headerCharset, 10, FORM_BUFFER);
        try {
            for (FormParts.Part part; (part = parts.next()) != null; ) {
                String fileName = parser.getFileName(part.headers());
                if (fileName != null && "file".equals(parser.getFieldName(part.headers()))) {
                    String cleanName = FileNames.clean(partName(fileName));
                    String contentType = partType(part.headers().getHeader("Content-Type"));
                    try (InputStream in = part.body()) {
                        return accepted(metrics.refusalsCounted(
                                UploadMetrics.Lane.DIRECT, () -> uploads.receive(caller, cleanName, contentType, in)));
                    }
                }
            }
        } catch (FileUploadException e) {
            throw ApiException.badRequest("The multipart body is malformed: " + e.getMessage());
        }
        throw ApiException.badRequest("The multipart body has no 'file' part");
    }

    /** The one buffer of a direct upload: the file's bytes pass through it in blocks this large. */
    private static final int FORM_BUFFER = 64 * 1024;

    private static Charset charset(String name) {
        try {
            return Charset.forName(name);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("The request's charset " + name + " is not one this server knows");
        }
    }

    /** The file part's name; one with a NUL is the client's mistake (400), as commons-fileupload also holds. */
    private static String partName(String name) {
        if (name.indexOf('\u0000') >= 0) {
            throw ApiException.badRequest("The file name must not contain control characters");
        }
        return name.isBlank() ? "upload" : name;
    }

    /** The file part's Content-Type, held to the same rules as a declared {@code contentType}. */
    private static String partType(String sent) {
        if (sent == null) {
            return "application/octet-stream";
        }
        String type = InvalidInputException.requireText(sent, "The file part's Content-Type", 255);
        try {
            MediaType.parseMediaType(type);
        } catch (InvalidMediaTypeException e) {
            throw new InvalidInputException("The file part's Content-Type is not a valid media type");
        }
        return type;
    }

    @GetMapping("/api/uploads/{id}")
    UploadView get(@PathVariable UUID id, CurrentUser caller) {
        Upload u = uploads.get(caller, id);
        return new UploadView(
                u.id(),
                u.fileName(),
                u.size(),
                u.contentType(),
                u.detectedType(),
                u.state(),
                u.createdAt(),
                u.jobId(),
                Multipart.of(u),
                u.sha256());
    }

    @GetMapping("/api/uploads/{id}/download")
    ResponseEntity<Void> download(@PathVariable UUID id, CurrentUser caller) {
        return ResponseEntity.status(HttpStatus.FOUND)
                .location(PublicUrls.absolute(uploads.downloadUrl(caller, id)))
                .build();
    }

    @DeleteMapping("/api/uploads/{id}")
    ResponseEntity<Void> delete(@PathVariable UUID id, CurrentUser caller) {
        uploads.delete(caller, id);
        return ResponseEntity.noContent().build();
    }

    private static ResponseEntity<Accepted> accepted(Job job) {
        String statusUrl = "/api/jobs/" + job.id();
        return ResponseEntity.accepted()
                .location(URI.create(statusUrl))
                .body(new Accepted(job.id().value(), job.uploadId(), job.status(), statusUrl));
    }
}
