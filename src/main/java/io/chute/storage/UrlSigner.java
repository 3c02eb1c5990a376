package io.chute.storage;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies the URLs of Chute's own object endpoint: an HMAC-SHA256 over the method,
 * the object key, the expiry, the declared size (PUT) and the content type and download name,
 * and for a part of a multipart upload the upload id and part number, and the declared SHA-256 of the
 * body (PUT) or of the object (GET), so that none of them can be changed without breaking the signature.
 */
final class UrlSigner {

    private final SecretKeySpec key;

    UrlSigner(byte[] secret) {
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    /** What a signature covers. {@code size} is -1 for GET. */
    record Grant(
            String method,
            String key,
            long expiresEpochSecond,
            long size,
            String contentType,
            String downloadName,
            String multipartId,
            int partNumber,
            String sha256) {

        Grant(String method, String key, long expiresEpochSecond, long size, String contentType, String downloadName) {
            this(method, key, expiresEpochSecond, size, contentType, downloadName, null, 0, null);
        }

        /** A PUT of one part of a multipart upload: bound to the upload and the part number as well. */
        static Grant part(String key, long expiresEpochSecond, long size, String multipartId, int partNumber) {
            return part(key, expiresEpochSecond, size, multipartId, partNumber, null);
        }

        static Grant part(
                String key, long expiresEpochSecond, long size, String multipartId, int partNumber, String sha256) {
            return new Grant("PUT-PART", key, expiresEpochSecond, size, null, null, multipartId, partNumber, sha256);
        }

        /** The same grant, bound to a SHA-256 (hex) too; null leaves it unbound. */
        Grant withSha256(String hex) {
            return new Grant(
                    method, key, expiresEpochSecond, size, contentType, downloadName, multipartId, partNumber, hex);
        }

        String canonical() {
            String base = String.join(
                    "\n",
                    method,
                    key,
                    Long.toString(expiresEpochSecond),
                    Long.toString(size),
                    nullToEmpty(contentType),
                    nullToEmpty(downloadName));
            // why: grants without a part keep the canonical form (and so the signatures) they always had
            String withPart = multipartId == null ? base : base + "\n" + multipartId + "\n" + partNumber;
            return sha256 == null ? withPart : withPart + "\nsha256=" + sha256;
        }

        boolean expiredAt(Instant now) {
            return now.getEpochSecond() > expiresEpochSecond;
        }

        private static String nullToEmpty(String s) {
            return s == null ? "" : s;
        }
    }

    String sign(Grant grant) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac(grant.canonical()));
    }

    /** Constant-time check of {@code signature} against {@code grant}. */
    boolean verify(Grant grant, String signature) {
        if (signature == null) {
            return false;
        }
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(mac(grant.canonical()), given);
    }

    private byte[] mac(String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
