package io.chute.upload;

import io.chute.common.StorageUsage;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** What users' completed uploads take, and the per-user quota overrides (a column of the users table). */
@Repository
class Quotas {

    private final JdbcClient jdbc;

    Quotas(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    StorageUsage.Usage usageOf(UUID ownerId) {
        return jdbc.sql(
                        "select coalesce(sum(size), 0) as bytes, count(*) as files from uploads where owner_id = ? and state = ?")
                .params(ownerId, UploadState.COMPLETE.name())
                .query((rs, n) -> new StorageUsage.Usage(rs.getLong("bytes"), rs.getLong("files")))
                .single();
    }

    /** The user's own quota, if an admin set one. */
    Optional<Long> overrideOf(UUID userId) {
        return jdbc.sql("select quota_bytes from users where id = ?")
                .param(userId)
                .query((rs, n) -> rs.getObject("quota_bytes", Long.class))
                .optional();
    }

    /** @return false when there is no such user */
    boolean setOverride(UUID userId, Long bytes) {
        return jdbc.sql("update users set quota_bytes = ? where id = ?")
                        .params(bytes, userId)
                        .update()
                == 1;
    }

    /** Row-locks the user until the transaction ends, so that two completions cannot both take the last free bytes. */
    void lockOwner(UUID ownerId) {
        jdbc.sql("select id from users where id = ? for update")
                .param(ownerId)
                .query(UUID.class)
                .optional();
    }
}
