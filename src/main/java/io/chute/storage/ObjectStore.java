package io.chute.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.ContentDisposition;

/**
 * Where file bytes live. Every read and write is a stream: no implementation may hold a whole
 * object in memory. Keys are Chute-generated paths such as {@code uploads/{owner}/{id}} or
 * {@code processed/{jobId}/{name}}; writing an existing key replaces it (so re-running a job is
 * idempotent).
 */
public interface ObjectStore {

    /**
     * Streams {@code in} into {@code key}. The object becomes visible only when the whole stream
     * was written; a failure or more than {@code maxBytes} leaves nothing behind.
     *
     * @return the number of bytes written
     * @throws ObjectTooLargeException when {@code in} holds more than {@code maxBytes}
     */
    long write(String key, InputStream in, long maxBytes) throws IOException;

    /**
     * A stream that writes {@code key}; closing it publishes the object. Used for outputs that
     * an encoder writes piece by piece.
     */
    OutputStream create(String key, String contentType) throws IOException;

    /** Opens the object for reading. @throws java.nio.file.NoSuchFileException when it does not exist */
    InputStream read(String key) throws IOException;

    Optional<ObjectInfo> stat(String key) throws IOException;

    /** Deletes the object if it exists. */
    void delete(String key) throws IOException;

    /**
     * The object as a file on local disk, for processors that need random access. The copy (if
     * one had to be made) is removed when the returned handle is closed.
     */
    LocalFile localFile(String key) throws IOException;

    /** {@link #presignPut(String, long, String, String, Duration)} without a declared digest. */
    default SignedRequest presignPut(String key, long size, String contentType, Duration ttl) {
        return presignPut(key, size, contentType, null, ttl);
    }

    /**
     * A URL that lets anyone holding it PUT exactly {@code size} bytes of {@code contentType} to {@code key} until it
     * expires. When {@code sha256} (hex) is given, a body with another SHA-256 is refused and nothing is stored. The
     * URL stores one object version only: a PUT to a key that already holds an object is refused (409 on Chute's
     * own endpoint, 412 from S3 through the signed {@code If-None-Match: *}), so replaying a used URL can never
     * change what is downloaded.
     */
    SignedRequest presignPut(String key, long size, String contentType, String sha256, Duration ttl);

    /** {@link #presignGet(String, String, String, String, Duration)} without a known digest. */
    default URI presignGet(String key, String contentType, String downloadName, Duration ttl) {
        return presignGet(key, contentType, downloadName, null, ttl);
    }

    /**
     * A URL that lets anyone holding it GET {@code key} until it expires, served as {@code contentType}
     * and always as an attachment ({@link #attachment}) named {@code downloadName}. When {@code sha256} (hex) is given and the store serves the bytes itself, the answer
     * carries it as {@code Repr-Digest} (RFC 9530).
     */
    URI presignGet(String key, String contentType, String downloadName, String sha256, Duration ttl);

    /** How every download is served, on every store: an attachment, so no browser shows it inline. */
    static ContentDisposition attachment(String downloadName) {
        return downloadName == null || downloadName.isBlank()
                ? ContentDisposition.attachment().build()
                : ContentDisposition.attachment()
                        .filename(downloadName, StandardCharsets.UTF_8)
                        .build();
    }

    /**
     * Starts a multipart upload of {@code key}: the client then PUTs numbered parts through
     * {@link #presignPart} URLs and {@link #completeMultipart} assembles them into the object.
     * Nothing is visible at {@code key} until then.
     *
     * @return the store's id of the multipart upload, needed by every other multipart call
     */
    String startMultipart(String key, String contentType) throws IOException;

    /**
     * A URL that lets anyone holding it PUT exactly {@code size} bytes as part {@code partNumber}
     * (1..10000) of the multipart upload until it expires. The answer to that PUT carries the
     * part's ETag, which the client hands back to {@link #completeMultipart}. When {@code sha256} (hex) is given,
     * a part with another SHA-256 is refused and not stored.
     */
    SignedRequest presignPart(String key, String multipartId, int partNumber, long size, String sha256, Duration ttl);

    /** {@link #presignPart(String, String, int, long, String, Duration)} without a declared digest. */
    default SignedRequest presignPart(String key, String multipartId, int partNumber, long size, Duration ttl) {
        return presignPart(key, multipartId, partNumber, size, null, ttl);
    }

    /**
     * The parts storage already holds, in part-number order, so that a client can resume.
     *
     * @throws java.nio.file.NoSuchFileException when the multipart upload does not exist (any more)
     */
    List<StoredPart> listParts(String key, String multipartId) throws IOException;

    /**
     * Assembles the given parts, in part-number order, into {@code key} and ends the multipart
     * upload. The object appears at once and whole, like {@link #write}.
     *
     * @throws PartsMismatchException when a part is missing, listed twice or out of order, or its ETag
     *     is not the one storage holds; the multipart upload is left as it was, so it can be retried
     * @throws java.nio.file.NoSuchFileException when the multipart upload does not exist (any more)
     */
    void completeMultipart(String key, String multipartId, List<PartETag> parts) throws IOException;

    /** Drops the multipart upload and every part it holds. Aborting one that no longer exists is not an error. */
    void abortMultipart(String key, String multipartId) throws IOException;

    /** A short description for the start-up log, e.g. "filesystem at /srv/chute/objects". */
    String describe();

    record ObjectInfo(String key, long size) {}

    record SignedRequest(URI url, String method, Map<String, String> headers) {}

    /** A part that storage holds; {@code etag} is as storage reports it (S3 quotes it). */
    record StoredPart(int partNumber, String etag, long size) {}

    /** A part as the client names it when completing; the ETag may come with or without quotes. */
    record PartETag(int partNumber, String etag) {

        /** The ETag without quotes or weak prefix, for comparing ETags from different sources. */
        public static String bare(String etag) {
            if (etag == null) {
                return "";
            }
            String e = etag.strip();
            if (e.startsWith("W/")) {
                e = e.substring(2);
            }
            if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
                e = e.substring(1, e.length() - 1);
            }
            return e.toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The highest part number S3 (and so Chute) allows. */
    int MAX_PARTS = 10_000;

    /** The parts given to {@link #completeMultipart} do not match what storage holds. */
    class PartsMismatchException extends IOException {
        public PartsMismatchException(String message) {
            super(message);
        }
    }

    /** A local file for an object; close it when done. */
    interface LocalFile extends AutoCloseable {
        Path path();

        @Override
        void close() throws IOException;
    }

    /** The bytes do not have the SHA-256 that was declared for them; nothing was stored. */
    class DigestMismatchException extends IOException {
        public DigestMismatchException(String message) {
            super(message);
        }
    }

    /** A single-use PUT found its key already holding an object; nothing was changed. */
    class AlreadyStoredException extends IOException {
        public AlreadyStoredException(String key) {
            super("An object is already stored at " + key);
        }
    }

    /** More bytes arrived than were allowed. */
    class ObjectTooLargeException extends IOException {
        public ObjectTooLargeException(long limit) {
            super("The body is larger than the allowed " + limit + " bytes");
        }
    }
}
