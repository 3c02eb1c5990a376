package io.chute.upload;

import io.chute.common.ApiException;
import io.chute.common.StorageUsage;
import io.chute.config.ChuteProperties;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.util.unit.DataSize;

/**
 * Per-user quotas: {@code chute.uploads.quota} for everyone, unless an admin set a user's own. The
 * bytes of completed uploads count (originals only); deleting an upload or the retention sweep frees them.
 */
@Service
class UploadQuota implements StorageUsage {

    private final Quotas quotas;
    private final DataSize configured;

    UploadQuota(Quotas quotas, ChuteProperties properties) {
        this.quotas = quotas;
        this.configured = properties.uploads().quota();
    }

    @Override
    public Account of(UUID userId) {
        Long quota = quotaOf(userId);
        return new Account(quotas.usageOf(userId), quota == null ? null : new Quota(quota));
    }

    /** The bytes the user may still add, or {@link Long#MAX_VALUE} without a quota. */
    long remaining(UUID userId) {
        Long quota = quotaOf(userId);
        return quota == null
                ? Long.MAX_VALUE
                : Math.max(0, quota - quotas.usageOf(userId).bytes());
    }

    /** 413 quota-exceeded unless {@code size} more bytes fit the user's quota; inside a completion, {@link #lockAndRequireRoomFor}. */
    void requireRoomFor(UUID userId, long size) {
        Long quota = quotaOf(userId);
        if (quota == null) {
            return;
        }
        long used = quotas.usageOf(userId).bytes();
        if (used + size > quota) {
            throw exceeded(quota, used, size);
        }
    }

    /**
     * Inside a completion's transaction: 413 quota-exceeded unless {@code size} more bytes fit the user's quota,
     * with the user's completions serialised until the transaction ends, so that two of them cannot both take
     * the last free bytes. A user without a quota has nothing to race for: no lock, no sum of their uploads
     * (the lock made one user's concurrent completions wait on each other's commits).
     */
    void lockAndRequireRoomFor(UUID userId, long size) {
        lockAndRequireRoomFor(userId, quotas.overrideOf(userId).orElse(null), size);
    }

    /** {@link #lockAndRequireRoomFor(UUID, long)} for a user whose quota override ({@code override}) was just read. */
    void lockAndRequireRoomFor(UUID userId, Long override, long size) {
        Long quota = override != null ? override : configuredBytes();
        if (quota == null) {
            return;
        }
        quotas.lockOwner(userId);
        long used = quotas.usageOf(userId).bytes();
        if (used + size > quota) {
            throw exceeded(quota, used, size);
        }
    }

    static ApiException exceeded(long quota, long used, long size) {
        return ApiException.quotaExceeded(
                "This file of " + size + " bytes does not fit the quota of " + quota + " bytes (" + used
                        + " used); delete files to make room",
                Map.of("quota", quota, "used", used));
    }

    private Long quotaOf(UUID userId) {
        return quotas.overrideOf(userId).orElse(configuredBytes());
    }

    /** The quota of users without one of their own, or null (none). */
    Long configuredBytes() {
        return configured == null ? null : configured.toBytes();
    }
}
