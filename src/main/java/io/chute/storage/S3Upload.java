package io.chute.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * One object streamed into S3 without knowing its length up front. Bytes collect in a part
 * buffer (grown on demand, never beyond the part size). An object that fits in one part is sent
 * with one PutObject; a bigger one becomes a multipart upload whose parts are sent as the buffer
 * fills: each full part goes out on its own (virtual) thread while the next one fills a second
 * buffer, so reading the stream and sending to S3 overlap. At most one part is in flight, so
 * memory is bounded by two part buffers, not by the object. Nothing is visible until {@link
 * #complete()}; after a failure the caller calls {@link #abort(Throwable)} so that no multipart
 * upload is left behind. Not thread-safe: one writer at a time.
 */
final class S3Upload {

    /** S3 refuses a multipart upload with more parts than this. */
    static final int MAX_PARTS = 10_000;

    private static final int FIRST_BUFFER = 64 * 1024;
    private static final String OCTETS = "application/octet-stream";

    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final String contentType;
    private final int partSize;
    private final long maxBytes;
    private final List<CompletedPart> parts = new ArrayList<>();

    private byte[] buffer;
    private int filled;
    private long total;
    private String uploadId;
    /** The part being sent, and its buffer, which the next part reuses once it has been sent. */
    private FutureTask<CompletedPart> inFlight;

    private byte[] inFlightBuffer;

    S3Upload(S3Client s3, String bucket, String key, String contentType, int partSize, long maxBytes) {
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
        this.contentType = contentType == null || contentType.isBlank() ? OCTETS : contentType;
        this.partSize = partSize;
        this.maxBytes = maxBytes;
        // why: most objects Chute writes itself (thumbnails, text) are small; don't pay a whole part for them
        this.buffer = new byte[Math.min(FIRST_BUFFER, partSize)];
    }

    /** @throws ObjectStore.ObjectTooLargeException as soon as more than {@code maxBytes} have been given */
    void write(byte[] bytes, int offset, int length) throws IOException {
        if (length > maxBytes - total) {
            throw new ObjectStore.ObjectTooLargeException(maxBytes);
        }
        total += length;
        while (length > 0) {
            // why: flush a full buffer only once more bytes arrive, so an object of exactly one part stays a single
            // PutObject
            if (filled == partSize) {
                sendPart();
            }
            int n = Math.min(length, partSize - filled);
            ensureCapacity(filled + n);
            System.arraycopy(bytes, offset, buffer, filled, n);
            filled += n;
            offset += n;
            length -= n;
        }
    }

    /** Publishes the object. @return its size in bytes */
    long complete() throws IOException {
        try {
            if (uploadId == null) {
                s3.putObject(
                        b -> b.bucket(bucket).key(key).contentType(contentType).contentLength((long) filled),
                        body(filled));
            } else {
                sendPart();
                awaitInFlight();
                s3.completeMultipartUpload(
                        b -> b.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
            }
        } catch (SdkException e) {
            throw S3ObjectStore.failure("write", key, e);
        }
        buffer = null;
        return total;
    }

    /** Drops whatever was sent; problems doing so are attached to {@code cause}, which stays the one reported. */
    void abort(Throwable cause) {
        buffer = null;
        if (uploadId == null) {
            return;
        }
        if (inFlight != null) {
            // why: a part that lands after the abort would be stored and billed with no upload to list it
            try {
                inFlight.get();
            } catch (ExecutionException e) {
                // the cause is reported already or is the same outage
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight = null;
        }
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    /** Sends the full buffer as the next part, once the part before it has been sent, and goes on in the other buffer. */
    private void sendPart() throws IOException {
        try {
            if (uploadId == null) {
                uploadId = s3.createMultipartUpload(
                                b -> b.bucket(bucket).key(key).contentType(contentType))
                        .uploadId();
            }
        } catch (SdkException e) {
            throw S3ObjectStore.failure("write", key, e);
        }
        int partNumber = parts.size() + (inFlight == null ? 1 : 2);
        if (partNumber > MAX_PARTS) {
            throw new IOException("The object " + key + " needs more than " + MAX_PARTS + " parts of " + partSize
                    + " bytes; raise chute.storage.s3.part-size");
        }
        byte[] free = awaitInFlight();
        byte[] bytes = buffer;
        int length = filled;
        String id = uploadId;
        inFlight = new FutureTask<>(() -> {
            String eTag = s3.uploadPart(
                            b -> b.bucket(bucket)
                                    .key(key)
                                    .uploadId(id)
                                    .partNumber(partNumber)
                                    .contentLength((long) length),
                            body(bytes, length))
                    .eTag();
            return CompletedPart.builder().partNumber(partNumber).eTag(eTag).build();
        });
        inFlightBuffer = bytes;
        Thread.ofVirtual().name("s3-part-" + partNumber).start(inFlight);
        buffer = free != null ? free : new byte[partSize];
        filled = 0;
    }

    /** Waits for the part in flight, if any. @return its buffer, free again, or null when none was in flight */
    private byte[] awaitInFlight() throws IOException {
        if (inFlight == null) {
            return null;
        }
        try {
            parts.add(inFlight.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while sending a part of " + key);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SdkException sdk) {
                throw S3ObjectStore.failure("write", key, sdk);
            }
            throw new IOException("Could not send a part of " + key, e.getCause());
        } finally {
            inFlight = null;
        }
        byte[] free = inFlightBuffer;
        inFlightBuffer = null;
        return free;
    }

    /** The buffer as a request body, without copying it: the SDK may open it more than once (signing, retries). */
    private RequestBody body(int length) {
        return body(buffer, length);
    }

    private static RequestBody body(byte[] bytes, int length) {
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes, 0, length), length, OCTETS);
    }

    private void ensureCapacity(int needed) {
        if (needed <= buffer.length) {
            return;
        }
        int size = buffer.length;
        while (size < needed) {
            size = (int) Math.min((long) size * 2, partSize);
        }
        buffer = Arrays.copyOf(buffer, size);
    }
}
