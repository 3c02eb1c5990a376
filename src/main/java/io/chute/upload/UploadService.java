package io.chute.upload;

import io.chute.auth.CurrentUser;
import io.chute.common.ApiException;
import io.chute.common.Sha256;
import io.chute.config.ChuteProperties;
import io.chute.job.FileSharing;
import io.chute.job.Job;
import io.chute.job.JobId;
import io.chute.job.JobService;
import io.chute.job.JobView;
import io.chute.job.Jobs;
import io.chute.processing.FileTypes;
import io.chute.storage.ObjectStore;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Both upload lanes: signing a PUT, verifying what storage holds at {@code complete}, and
 * streaming a direct upload. Either way a verified upload and its job are created in one
 * transaction, so there is never a job without its file or a file that no job will process.
 */
@Service
class UploadService {

    private static final Logger log = LoggerFactory.getLogger(UploadService.class);

    private final Uploads uploads;
    private final Jobs jobs;
    private final JobService jobService;
    private final ObjectStore store;
    private final FileTypes types;
    private final TransactionTemplate tx;
    private final ChuteProperties properties;
    private final FileSharing sharing;
    private final UploadMetrics metrics;
    private final TypePolicy policy;
    private final UploadQuota quota;
    private final Clock clock = Clock.systemUTC();

    UploadService(
            Uploads uploads,
            Jobs jobs,
            JobService jobService,
            ObjectStore store,
            FileTypes types,
            TransactionTemplate tx,
            ChuteProperties properties,
            FileSharing sharing,
            UploadMetrics metrics,
            TypePolicy policy,
            UploadQuota quota) {
        this.quota = quota;
        this.uploads = uploads;
        this.jobs = jobs;
        this.jobService = jobService;
        this.store = store;
        this.types = types;
        this.tx = tx;
        this.properties = properties;
        this.sharing = sharing;
        this.metrics = metrics;
        this.policy = policy;
    }

    /** A signed upload: {@code request} is the single PUT, or null for a multipart upload (whose plan is in {@code upload}). */
    record Signed(Upload upload, ObjectStore.SignedRequest request) {}

    /** One signed part PUT of a multipart upload. */
    record SignedPart(int partNumber, ObjectStore.SignedRequest request) {}

    /** At most this many part URLs per call, so one request cannot make Chute sign 10,000 URLs. */
    static final int MAX_PARTS_PER_CALL = 1000;

    private static final long MiB = 1024 * 1024;
    private static final long MIN_PART_SIZE = 5 * MiB;

    Signed sign(CurrentUser caller, UploadRequest request) {
        requireWithinMaxSize(request.size());
        if (request.channelId() != null && !sharing.isMember(caller.id(), request.channelId())) {
            throw ApiException.notFound("Channel");
        }
        policy.require(request.contentType(), "The declared contentType");
        UUID id = UUID.randomUUID();
        Instant expiresAt = clock.instant().plus(properties.uploads().urlTtl());
        String key = Upload.objectKeyFor(caller.id(), id);
        boolean multipart =
                request.size() > properties.storage().multipartThreshold().toBytes();
        if (multipart) {
            // why: before the store is asked to start a multipart upload that would otherwise be left behind
            quota.requireRoomFor(caller.id(), request.size());
        }
        Long partSize = multipart ? partSizeFor(request.size()) : null;
        Integer partCount = multipart ? (int) ((request.size() + partSize - 1) / partSize) : null;
        String multipartId = null;
        if (multipart) {
            try {
                multipartId = store.startMultipart(key, request.contentType());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Upload upload = new Upload(
                id,
                caller.id(),
                request.fileName(),
                request.size(),
                request.contentType(),
                null,
                key,
                UploadState.AWAITING_UPLOAD,
                request.channelId(),
                expiresAt,
                clock.instant(),
                null,
                null,
                multipartId,
                partSize,
                partCount,
                request.sha256(),
                null);
        if (multipart) {
            uploads.save(upload);
            return new Signed(upload, null);
        }
        // the quota is checked by the insert itself: one round trip instead of two
        if (!uploads.saveWithinQuota(upload, quota.configuredBytes())) {
            quota.requireRoomFor(caller.id(), request.size());
            // why: room was made between the two statements (an upload deleted); the check is advisory here
            uploads.save(upload);
        }
        var signed = store.presignPut(
                upload.objectKey(),
                request.size(),
                request.contentType(),
                request.sha256(),
                properties.uploads().urlTtl());
        return new Signed(upload, signed);
    }

    /**
     * S3 allows at most 10,000 parts of at least 5 MiB (except the last): the smallest whole
     * number of MiB that fits the file in 10,000 parts, and never less than 5 MiB.
     */
    static long partSizeFor(long size) {
        long perPart = (size + ObjectStore.MAX_PARTS - 1) / ObjectStore.MAX_PARTS;
        long wholeMiB = (perPart + MiB - 1) / MiB * MiB;
        return Math.max(MIN_PART_SIZE, wholeMiB);
    }

    /**
     * Signs PUTs for the given parts, each bound to its exact size and to its SHA-256 when {@code digests} (part
     * number to hex) names one; signing keeps the upload from expiring.
     */
    List<SignedPart> signParts(
            CurrentUser caller, UUID uploadId, List<Integer> partNumbers, Map<Integer, String> digests) {
        Upload upload = awaitingMultipart(caller, uploadId);
        if (partNumbers == null || partNumbers.isEmpty()) {
            throw ApiException.badRequest("partNumbers is required");
        }
        if (partNumbers.size() > MAX_PARTS_PER_CALL) {
            throw ApiException.badRequest("At most " + MAX_PARTS_PER_CALL + " parts can be signed per call");
        }
        var outside = partNumbers.stream()
                .filter(n -> n == null || n < 1 || n > upload.partCount())
                .toList();
        if (!outside.isEmpty()) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "Part numbers must be between 1 and " + upload.partCount(),
                    Map.of("invalidPartNumbers", outside));
        }
        var ttl = properties.uploads().urlTtl();
        uploads.extendExpiry(uploadId, clock.instant().plus(ttl));
        return partNumbers.stream()
                .distinct()
                .map(n -> new SignedPart(
                        n,
                        store.presignPart(
                                upload.objectKey(),
                                upload.multipartId(),
                                n,
                                upload.sizeOfPart(n),
                                digests.get(n),
                                ttl)))
                .toList();
    }

    /** What storage already holds of a multipart upload, so that a client can resume it. */
    List<ObjectStore.StoredPart> listParts(CurrentUser caller, UUID uploadId) {
        Upload upload = awaitingMultipart(caller, uploadId);
        try {
            return store.listParts(upload.objectKey(), upload.multipartId());
        } catch (NoSuchFileException e) {
            throw ApiException.conflict("The multipart upload no longer exists in storage");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Upload awaitingMultipart(CurrentUser caller, UUID uploadId) {
        Upload upload = owned(caller, uploadId);
        if (!upload.isMultipart()) {
            throw ApiException.conflict("This upload has a single signed PUT, not parts");
        }
        if (upload.state() != UploadState.AWAITING_UPLOAD) {
            throw ApiException.conflict("This upload is " + upload.state() + " and takes no more parts");
        }
        return upload;
    }

    /**
     * Assembles a multipart upload from the client's part list: every part of the plan must be
     * there, once. A second complete after a successful one finds the object already assembled.
     */
    private void assemble(Upload upload, List<ObjectStore.PartETag> parts) {
        if (parts == null || parts.isEmpty()) {
            throw ApiException.badRequest("parts is required to complete a multipart upload");
        }
        var given = new TreeMap<Integer, ObjectStore.PartETag>();
        for (ObjectStore.PartETag part : parts) {
            if (part.partNumber() < 1 || part.partNumber() > upload.partCount()) {
                throw ApiException.badRequest(
                        "Part number " + part.partNumber() + " is not between 1 and " + upload.partCount());
            }
            if (part.etag() == null || part.etag().isBlank()) {
                throw ApiException.badRequest("Part " + part.partNumber() + " has no etag");
            }
            if (given.put(part.partNumber(), part) != null) {
                throw ApiException.badRequest("Part " + part.partNumber() + " is listed twice");
            }
        }
        var missing = IntStream.rangeClosed(1, upload.partCount())
                .filter(n -> !given.containsKey(n))
                .boxed()
                .toList();
        if (!missing.isEmpty()) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST, "Parts " + missing + " are missing", Map.of("missingParts", missing));
        }
        try {
            store.completeMultipart(upload.objectKey(), upload.multipartId(), List.copyOf(given.values()));
        } catch (ObjectStore.PartsMismatchException e) {
            throw ApiException.badRequest(e.getMessage() + "; list the parts and upload again the ones that differ");
        } catch (NoSuchFileException e) {
            // a concurrent complete may have assembled it already; otherwise the checks below answer 409
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Verifies the stored object of a signed upload and queues its job; replaying it returns the same job. */
    Job complete(CurrentUser caller, UUID uploadId, List<ObjectStore.PartETag> parts) {
        Upload upload = owned(caller, uploadId);
        switch (upload.state()) {
            case COMPLETE -> {
                return jobs.find(new JobId(upload.jobId())).orElseThrow();
            }
            case REJECTED -> throw ApiException.conflict("This upload was refused and cannot be completed");
            case ABORTED -> throw ApiException.conflict("This upload was deleted");
            case AWAITING_UPLOAD -> {}
        }
        if (upload.isMultipart()) {
            assemble(upload, parts);
        }
        ObjectStore.ObjectInfo stored = stat(upload.objectKey())
                .orElseThrow(() -> ApiException.conflict("No bytes have been uploaded for this upload yet"));
        if (stored.size() != upload.size()) {
            deleteQuietly(upload.objectKey());
            throw ApiException.conflict("Storage holds " + stored.size() + " bytes but " + upload.size()
                    + " were declared; upload the file again");
        }
        Stored content = readStored(upload.objectKey());
        String sha256 = verifiedDigest(upload, content.sha256());
        String detected = content.detectedType();
        String jobType = acceptedOrReject(upload, detected);
        try {
            return tx.execute(s -> {
                Uploads.Locked row =
                        uploads.lockWithOwnerQuota(uploadId).orElseThrow(() -> ApiException.notFound("Upload"));
                Upload locked = row.upload();
                if (locked.state() == UploadState.COMPLETE) {
                    return jobs.find(new JobId(locked.jobId())).orElseThrow();
                }
                if (locked.state() != UploadState.AWAITING_UPLOAD) {
                    throw ApiException.conflict("This upload can no longer be completed");
                }
                quota.lockAndRequireRoomFor(locked.ownerId(), row.ownerQuota(), stored.size());
                Job job = jobService.submit(newJob(locked, jobType, detected, stored.size(), sha256));
                uploads.markComplete(
                        uploadId, stored.size(), detected, sha256, job.id().value());
                metrics.accepted(UploadMetrics.Lane.SIGNED, stored.size());
                return job;
            });
        } catch (ApiException e) {
            if (e.status() == HttpStatus.CONTENT_TOO_LARGE) {
                // why: over quota at complete; the bytes must not stay in storage beyond the quota until the sweep
                deleteQuietly(upload.objectKey());
                uploads.markState(upload.id(), UploadState.ABORTED, detected);
            }
            throw e;
        }
    }

    /** What the stored object really is: its type, from its first bytes, and its SHA-256 (hex). */
    private record Stored(String detectedType, String sha256) {}

    /** One streaming read of the stored object gives both its type and its digest. */
    private Stored readStored(String key) {
        MessageDigest digest = Sha256.newDigest();
        // why: the buffer lets detection look ahead and rewind without the digest seeing those bytes twice
        try (InputStream in = new BufferedInputStream(new DigestInputStream(store.read(key), digest), 64 * 1024)) {
            String detected = types.detect(in);
            in.transferTo(OutputStream.nullOutputStream());
            return new Stored(detected, Sha256.hex(digest));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code actual}, the stored object's SHA-256; when the client declared another, the object is deleted and the
     * answer is 422 (the upload stays open, so the same URL can send the right bytes).
     */
    private String verifiedDigest(Upload upload, String actual) {
        if (upload.declaredSha256() != null && !upload.declaredSha256().equals(actual)) {
            deleteQuietly(upload.objectKey());
            throw new ApiException(
                    HttpStatus.UNPROCESSABLE_CONTENT,
                    "The stored bytes have SHA-256 " + actual + ", not the " + "declared " + upload.declaredSha256()
                            + "; they were deleted, upload the file again",
                    Map.of("sha256", actual));
        }
        return actual;
    }

    /** The direct lane: streams one file to storage, hashing it on the way, then verifies and queues it like {@link #complete}. */
    Job receive(CurrentUser caller, String fileName, String contentType, InputStream body) {
        policy.require(contentType, "The file part's Content-Type");
        UUID id = UUID.randomUUID();
        String key = Upload.objectKeyFor(caller.id(), id);
        MessageDigest digest = Sha256.newDigest();
        long maxSize = properties.uploads().maxSize().toBytes();
        long room = quota.remaining(caller.id());
        long size;
        try {
            size = store.write(key, new DigestInputStream(body, digest), Math.min(maxSize, room));
        } catch (ObjectStore.ObjectTooLargeException e) {
            if (room < maxSize) {
                throw ApiException.quotaExceeded(
                        "The file is larger than the " + room + " bytes left in your quota", Map.of("remaining", room));
            }
            throw ApiException.tooLarge("The file is larger than the limit of "
                    + properties.uploads().maxSize());
        } catch (IOException e) {
            throw new UploadInterruptedException(e);
        }
        try {
            if (size == 0) {
                throw ApiException.badRequest("The file is empty");
            }
            String detected = detect(key);
            Upload upload = new Upload(
                    id,
                    caller.id(),
                    fileName,
                    size,
                    contentType,
                    detected,
                    key,
                    UploadState.AWAITING_UPLOAD,
                    null,
                    clock.instant(),
                    clock.instant(),
                    null,
                    null);
            if (!policy.accepts(detected)) {
                throw unsupported(detected);
            }
            String jobType = types.jobTypeFor(detected);
            String sha256 = Sha256.hex(digest);
            return tx.execute(s -> {
                quota.lockAndRequireRoomFor(caller.id(), size);
                uploads.save(upload);
                Job job = jobService.submit(newJob(upload, jobType, detected, size, sha256));
                uploads.markComplete(id, size, detected, sha256, job.id().value());
                metrics.accepted(UploadMetrics.Lane.DIRECT, size);
                return job;
            });
        } catch (RuntimeException e) {
            deleteQuietly(key);
            throw e;
        }
    }

    Upload get(CurrentUser caller, UUID id) {
        return readable(caller, id);
    }

    void delete(CurrentUser caller, UUID id) {
        Upload upload = owned(caller, id);
        if (upload.state() == UploadState.COMPLETE) {
            deleteCompleted(caller, upload);
            return;
        }
        if (upload.isMultipart() && upload.state() == UploadState.AWAITING_UPLOAD) {
            try {
                store.abortMultipart(upload.objectKey(), upload.multipartId());
            } catch (IOException | RuntimeException e) {
                // why: the retention sweep aborts it again once the upload expires
                log.warn("Could not abort the multipart upload of {}", upload.objectKey(), e);
            }
        }
        deleteQuietly(upload.objectKey());
        if (upload.state() == UploadState.AWAITING_UPLOAD) {
            uploads.markState(id, UploadState.ABORTED, null);
        }
    }

    /**
     * Deletes a completed upload for good: its job is cancelled if it still runs, the upload is marked DELETED
     * (which frees its quota at once), then the original and every output are deleted from storage.
     */
    private void deleteCompleted(CurrentUser caller, Upload upload) {
        JobId jobId = new JobId(upload.jobId());
        jobs.find(jobId).filter(j -> !j.status().isFinal()).ifPresent(j -> {
            try {
                jobService.cancel(caller, jobId);
            } catch (ApiException e) {
                // why: the job finished in the meantime; its outputs are deleted below like any other
            }
        });
        uploads.markState(upload.id(), UploadState.DELETED, null);
        deleteQuietly(upload.objectKey());
        uploads.outputKeysOf(upload.id()).forEach(this::deleteQuietly);
    }

    java.net.URI downloadUrl(CurrentUser caller, UUID id) {
        Upload upload = readable(caller, id);
        boolean jobRejected = upload.jobId() != null
                && jobs.find(new JobId(upload.jobId()))
                        .map(j -> j.status() == io.chute.job.JobStatus.REJECTED)
                        .orElse(false);
        if (upload.state() == UploadState.REJECTED || jobRejected) {
            throw ApiException.forbidden("This file was refused and is quarantined");
        }
        if (upload.state() == UploadState.PURGED) {
            throw new ApiException(HttpStatus.GONE, "This file was deleted by the retention policy");
        }
        if (upload.state() == UploadState.DELETED) {
            throw new ApiException(HttpStatus.GONE, "This file was deleted by its owner");
        }
        if (upload.state() != UploadState.COMPLETE) {
            throw ApiException.conflict("This upload is not complete");
        }
        return store.presignGet(
                upload.objectKey(),
                upload.detectedType(),
                upload.fileName(),
                upload.sha256(),
                properties.uploads().downloadUrlTtl());
    }

    /** The upload if the caller owns it, or it was sent in a channel the caller is a member of; 404 otherwise. */
    private Upload readable(CurrentUser caller, UUID id) {
        return uploads.find(id)
                .filter(u -> caller.canSee(u.ownerId()) || sharing.sharedWith(caller.id(), u.id()))
                .orElseThrow(() -> ApiException.notFound("Upload"));
    }

    private Upload owned(CurrentUser caller, UUID id) {
        return uploads.find(id)
                .filter(u -> caller.canSee(u.ownerId()))
                .orElseThrow(() -> ApiException.notFound("Upload"));
    }

    private Jobs.NewJob newJob(Upload upload, String jobType, String detected, long size, String sha256) {
        return Jobs.NewJob.forUpload(
                        upload.ownerId(),
                        upload.id(),
                        jobType,
                        upload.fileName(),
                        size,
                        detected,
                        upload.objectKey(),
                        jobService.maxAttemptsOf(jobType))
                .withMetadata(Map.of(JobView.SHA256, sha256));
    }

    private String acceptedOrReject(Upload upload, String detected) {
        if (!policy.accepts(detected)) {
            deleteQuietly(upload.objectKey());
            uploads.markState(upload.id(), UploadState.REJECTED, detected);
            throw unsupported(detected);
        }
        return types.jobTypeFor(detected);
    }

    private static ApiException unsupported(String detected) {
        return ApiException.unsupportedType(
                "The file's content is " + detected + ", a type this server does not accept");
    }

    /**
     * Refuses a direct-lane body whose declared length alone is over the size limit or the caller's
     * remaining quota, before reading it; the multipart framing around the file is allowed
     * {@link #FORM_OVERHEAD} bytes.
     */
    void refuseOversizedBody(CurrentUser caller, long contentLength) {
        if (contentLength > properties.uploads().maxSize().toBytes() + FORM_OVERHEAD) {
            throw ApiException.tooLarge("The request body of " + contentLength + " bytes is over the limit of "
                    + properties.uploads().maxSize());
        }
        if (contentLength > FORM_OVERHEAD) {
            // why: the file is at least the body less its framing; over the quota, no byte of it needs reading
            quota.requireRoomFor(caller.id(), contentLength - FORM_OVERHEAD);
        }
    }

    private static final long FORM_OVERHEAD = 64 * 1024;

    private void requireWithinMaxSize(long size) {
        long max = properties.uploads().maxSize().toBytes();
        if (size > max) {
            throw ApiException.tooLarge("size " + size + " is over the limit of " + max + " bytes");
        }
    }

    private java.util.Optional<ObjectStore.ObjectInfo> stat(String key) {
        try {
            return store.stat(key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String detect(String key) {
        try (InputStream in = store.read(key)) {
            return types.detect(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void deleteQuietly(String key) {
        try {
            store.delete(key);
        } catch (IOException | RuntimeException e) {
            log.warn("Could not delete object {}", key, e);
        }
    }

    /** The client went away mid-upload: nothing was stored. */
    static class UploadInterruptedException extends ApiException {
        UploadInterruptedException(IOException cause) {
            super(HttpStatus.BAD_REQUEST, "The upload was interrupted before the file was complete");
            initCause(cause);
        }
    }
}
