package io.chute.common;

import java.util.UUID;

/**
 * How much storage a user's files take and how much they may take: uploads answers, the account
 * view ({@code GET /api/me}) asks (a port, so that auth need not depend on uploads).
 */
public interface StorageUsage {

    /** The user's completed uploads and their quota (null: no quota); an unknown user has none of either. */
    Account of(UUID userId);

    record Account(Usage usage, Quota quota) {}

    /** Bytes and number of the user's completed uploads (originals; outputs are not counted). */
    record Usage(long bytes, long files) {}

    record Quota(long bytes) {}
}
