package io.chute.upload;

/** How far an upload got; the values of {@code uploads.state}. */
public enum UploadState {
    /** Signed, bytes not confirmed yet. */
    AWAITING_UPLOAD,
    /** Bytes verified, job created. */
    COMPLETE,
    /** Refused at complete (type or size) or by processing (e.g. infected): never downloadable. */
    REJECTED,
    /** Deleted by its owner, or never uploaded before its URL expired. */
    ABORTED,
    /** Completed, then its bytes were deleted by the retention policy. */
    PURGED,
    /** Completed, then deleted by its owner: the original and the outputs are gone for good. */
    DELETED
}
