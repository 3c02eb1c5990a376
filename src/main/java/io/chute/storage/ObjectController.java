package io.chute.storage;

import io.chute.common.ApiException;
import io.chute.common.Sha256;
import io.chute.config.ChuteProperties.StorageType;
import io.chute.config.ConditionalOnBackend;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Chute's own object endpoint for the filesystem store: the target of signed URLs. It needs no
 * bearer token; the signature is the authorisation. Bodies are streamed to disk, never buffered.
 * Cross-origin requests (preflights included) are answered by the CORS rules of
 * {@code io.chute.auth.CorsRules}: any origin, since the signature is the credential.
 * Downloads are always attachments with {@code nosniff}.
 */
@RestController
@ConditionalOnBackend(storage = StorageType.FILESYSTEM)
class ObjectController {

    private final FileSystemObjectStore store;

    ObjectController(FileSystemObjectStore store) {
        this.store = store;
    }

    @PutMapping("/objects/**")
    ResponseEntity<Void> put(
            HttpServletRequest request,
            @RequestParam(name = "m", required = false) String method,
            @RequestParam(name = "e", required = false) Long expires,
            @RequestParam(name = "s", required = false) Long size,
            @RequestParam(name = "ct", required = false) String contentType,
            @RequestParam(name = "sig", required = false) String signature,
            @RequestParam(name = "u", required = false) String multipartId,
            @RequestParam(name = "pn", required = false) Integer partNumber,
            @RequestParam(name = "d", required = false) String sha256,
            @RequestHeader(name = HttpHeaders.CONTENT_TYPE, required = false) String sentType)
            throws IOException {
        String key = keyOf(request);
        if (multipartId != null) {
            return putPart(request, key, method, expires, size, multipartId, partNumber, sha256, signature);
        }
        var grant = new UrlSigner.Grant("PUT", key, orZero(expires), size == null ? -1 : size, contentType, null)
                .withSha256(sha256);
        authorise("PUT", method, grant, signature);
        if (sentType != null && !sameType(sentType, contentType)) {
            throw ApiException.forbidden("Content-Type does not match the signed one (" + contentType + ")");
        }
        long declared = request.getContentLengthLong();
        if (declared > size) {
            throw ApiException.tooLarge("The body is larger than the signed size of " + size + " bytes");
        }
        MessageDigest md5 = md5();
        long written;
        try (InputStream body = new DigestInputStream(request.getInputStream(), md5)) {
            written = store.writeOnce(key, body, size, sha256);
        } catch (ObjectStore.ObjectTooLargeException e) {
            throw ApiException.tooLarge("The body is larger than the signed size of " + size + " bytes");
        } catch (ObjectStore.AlreadyStoredException e) {
            throw ApiException.conflict("This URL has already stored its object; a signed PUT is good for one upload");
        } catch (ObjectStore.DigestMismatchException e) {
            throw ApiException.digestMismatch(e.getMessage() + "; nothing was stored");
        }
        if (written != size) {
            throw ApiException.badRequest("The body has " + written + " bytes but the URL was signed for " + size);
        }
        return ResponseEntity.ok()
                .eTag("\"" + HexFormat.of().formatHex(md5.digest()) + "\"")
                .build();
    }

    /** One part of a multipart upload; the answer's ETag is the part's quoted MD5, as S3 answers it. */
    private ResponseEntity<Void> putPart(
            HttpServletRequest request,
            String key,
            String method,
            Long expires,
            Long size,
            String multipartId,
            Integer partNumber,
            String sha256,
            String signature)
            throws IOException {
        var grant = UrlSigner.Grant.part(
                key,
                orZero(expires),
                size == null ? -1 : size,
                multipartId,
                partNumber == null ? 0 : partNumber,
                sha256);
        authorise("PUT", method, grant, signature);
        if (request.getContentLengthLong() > size) {
            throw ApiException.tooLarge("The body is larger than the signed size of " + size + " bytes");
        }
        try (InputStream body = request.getInputStream()) {
            String etag = store.writePart(key, multipartId, partNumber, body, size, sha256);
            return ResponseEntity.ok().eTag(etag).build();
        } catch (ObjectStore.ObjectTooLargeException e) {
            throw ApiException.tooLarge("The body is larger than the signed size of " + size + " bytes");
        } catch (ObjectStore.PartsMismatchException e) {
            throw ApiException.badRequest(e.getMessage());
        } catch (ObjectStore.DigestMismatchException e) {
            throw ApiException.digestMismatch(e.getMessage() + "; the part was not stored");
        } catch (java.nio.file.NoSuchFileException e) {
            throw ApiException.notFound("Multipart upload");
        }
    }

    @GetMapping("/objects/**")
    ResponseEntity<Resource> get(
            HttpServletRequest request,
            @RequestParam(name = "m", required = false) String method,
            @RequestParam(name = "e", required = false) Long expires,
            @RequestParam(name = "ct", required = false) String contentType,
            @RequestParam(name = "fn", required = false) String downloadName,
            @RequestParam(name = "d", required = false) String sha256,
            @RequestParam(name = "sig", required = false) String signature) {
        String key = keyOf(request);
        var grant = new UrlSigner.Grant("GET", key, orZero(expires), -1, contentType, downloadName).withSha256(sha256);
        authorise("GET", method, grant, signature);
        Path path = store.pathOf(key);
        if (!Files.isRegularFile(path)) {
            throw ApiException.notFound("Object");
        }
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(parseOrOctets(contentType));
        headers.setContentDisposition(ObjectStore.attachment(downloadName));
        headers.set("X-Content-Type-Options", "nosniff");
        // why: objects share the web client's origin; should a browser ever render one (HTML, SVG), it runs no script
        // there
        headers.set("Content-Security-Policy", "default-src 'none'; sandbox");
        if (sha256 != null) {
            // why: the signature covers the digest, and it is of the whole representation, so Range answers carry it
            // too
            headers.set("Repr-Digest", Sha256.reprDigest(sha256));
        }
        headers.setCacheControl("private, max-age=300");
        // why: FileSystemResource lets Spring MVC answer Range requests without reading the file into memory
        return ResponseEntity.ok().headers(headers).body(new FileSystemResource(path));
    }

    private void authorise(String expected, String method, UrlSigner.Grant grant, String signature) {
        if (!expected.equals(method) || !store.signer().verify(grant, signature)) {
            throw ApiException.forbidden("The URL signature is invalid");
        }
        if (grant.expiredAt(store.clock().instant())) {
            throw ApiException.forbidden("The signed URL has expired");
        }
    }

    private String keyOf(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        String key = path.substring(FileSystemObjectStore.ENDPOINT.length());
        try {
            store.pathOf(key);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("Object");
        }
        return key;
    }

    private static boolean sameType(String sent, String signed) {
        try {
            return MediaType.parseMediaType(sent).equalsTypeAndSubtype(MediaType.parseMediaType(signed));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static MediaType parseOrOctets(String type) {
        try {
            return MediaType.parseMediaType(type);
        } catch (RuntimeException e) {
            return MediaType.APPLICATION_OCTET_STREAM;
        }
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
