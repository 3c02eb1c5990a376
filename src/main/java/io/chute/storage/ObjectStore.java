package io.chute.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

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

    /** A URL that lets anyone holding it PUT exactly {@code size} bytes of {@code contentType} to {@code key} until it expires. */
    SignedRequest presignPut(String key, long size, String contentType, Duration ttl);

    /** A URL that lets anyone holding it GET {@code key} until it expires, served as {@code contentType} named {@code downloadName}. */
    URI presignGet(String key, String contentType, String downloadName, Duration ttl);

    /** A short description for the start-up log, e.g. "filesystem at /srv/chute/objects". */
    String describe();

    record ObjectInfo(String key, long size) {}

    record SignedRequest(URI url, String method, Map<String, String> headers) {}

    /** A local file for an object; close it when done. */
    interface LocalFile extends AutoCloseable {
        Path path();

        @Override
        void close() throws IOException;
    }

    /** More bytes arrived than were allowed. */
    class ObjectTooLargeException extends IOException {
        public ObjectTooLargeException(long limit) {
            super("The body is larger than the allowed " + limit + " bytes");
        }
    }
}
