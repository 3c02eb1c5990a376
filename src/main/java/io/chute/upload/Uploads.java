package io.chute.upload;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The uploads table. */
@Repository
class Uploads {

    private final JdbcClient jdbc;

    Uploads(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void save(Upload u) {
        jdbc.sql("""
                insert into uploads (id, owner_id, file_name, size, content_type, detected_type, object_key, state,
                                     channel_id, expires_at, multipart_id, part_size, part_count, declared_sha256)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(
                        u.id(),
                        u.ownerId(),
                        u.fileName(),
                        u.size(),
                        u.contentType(),
                        u.detectedType(),
                        u.objectKey(),
                        u.state().name(),
                        u.channelId(),
                        Timestamp.from(u.expiresAt()),
                        u.multipartId(),
                        u.partSize(),
                        u.partCount(),
                        u.declaredSha256())
                .update();
    }

    Optional<Upload> find(UUID id) {
        return jdbc.sql("select * from uploads where id = ?")
                .param(id)
                .query(Uploads::upload)
                .optional();
    }

    /** Reads and row-locks the upload, so that two concurrent completes are serialised. */
    Optional<Upload> lock(UUID id) {
        return jdbc.sql("select * from uploads where id = ? for update")
                .param(id)
                .query(Uploads::upload)
                .optional();
    }

    /**
     * {@link #save} unless the owner's completed uploads and {@code u}'s size exceed their quota (their own, else
     * {@code configuredQuota}; none: always saved), checked in the same statement; false when nothing was saved.
     * The check at signing is advisory (a completion checks again under the owner's lock), so it needs no lock.
     */
    boolean saveWithinQuota(Upload u, Long configuredQuota) {
        return jdbc.sql("""
                        insert into uploads (id, owner_id, file_name, size, content_type, detected_type, object_key,
                                             state, channel_id, expires_at, multipart_id, part_size, part_count,
                                             declared_sha256)
                        select cast(:id as uuid), o.id, cast(:fileName as varchar), cast(:size as bigint),
                               cast(:contentType as varchar), cast(:detectedType as varchar),
                               cast(:objectKey as varchar), cast(:state as varchar), cast(:channelId as uuid),
                               cast(:expiresAt as timestamptz), cast(:multipartId as varchar),
                               cast(:partSize as bigint), cast(:partCount as int), cast(:declaredSha256 as char(64))
                        from users o
                        where o.id = :ownerId
                          and case when coalesce(o.quota_bytes, cast(:configuredQuota as bigint)) is null then true
                                   else (select coalesce(sum(x.size), 0) from uploads x
                                         where x.owner_id = o.id and x.state = 'COMPLETE') + :size
                                        <= coalesce(o.quota_bytes, cast(:configuredQuota as bigint)) end""")
                        .param("id", u.id())
                        .param("ownerId", u.ownerId())
                        .param("fileName", u.fileName())
                        .param("size", u.size())
                        .param("contentType", u.contentType())
                        .param("detectedType", u.detectedType())
                        .param("objectKey", u.objectKey())
                        .param("state", u.state().name())
                        .param("channelId", u.channelId())
                        .param("expiresAt", Timestamp.from(u.expiresAt()))
                        .param("multipartId", u.multipartId())
                        .param("partSize", u.partSize())
                        .param("partCount", u.partCount())
                        .param("declaredSha256", u.declaredSha256())
                        .param("configuredQuota", configuredQuota)
                        .update()
                == 1;
    }

    /** A locked upload and its owner's own quota (null: the configured one applies). */
    record Locked(Upload upload, Long ownerQuota) {}

    /**
     * {@link #lock} and, in the same round trip, the owner's quota override, which a completion checks next (the
     * owner's row is read, not locked: {@link Quotas#lockOwner} locks it when a quota applies).
     */
    Optional<Locked> lockWithOwnerQuota(UUID id) {
        return jdbc.sql("""
                select u.*, o.quota_bytes as owner_quota_bytes
                from uploads u join users o on o.id = u.owner_id
                where u.id = ? for update of u""")
                .param(id)
                .query((rs, n) -> new Locked(upload(rs, n), rs.getObject("owner_quota_bytes", Long.class)))
                .optional();
    }

    void markComplete(UUID id, long size, String detectedType, String sha256, UUID jobId) {
        jdbc.sql("""
                update uploads set state = 'COMPLETE', size = ?, detected_type = ?, sha256 = ?, job_id = ?,
                                   completed_at = now()
                where id = ?""").params(size, detectedType, sha256, jobId, id).update();
    }

    void markState(UUID id, UploadState state, String detectedType) {
        jdbc.sql("update uploads set state = ?, detected_type = coalesce(?, detected_type) where id = ?")
                .params(state.name(), detectedType, id)
                .update();
    }

    /** A multipart upload stays alive while its client keeps signing parts: each signing moves its expiry. */
    void extendExpiry(UUID id, Instant expiresAt) {
        jdbc.sql("update uploads set expires_at = greatest(expires_at, ?) where id = ? and state = 'AWAITING_UPLOAD'")
                .params(Timestamp.from(expiresAt), id)
                .update();
    }

    /** An upload taken by the retention sweep: its id, the object to delete and its multipart upload, if any. */
    record Swept(UUID id, String objectKey, String multipartId) {}

    /** Marks up to {@code limit} uploads still awaiting bytes {@code graceSeconds} after expiry as ABORTED. */
    List<Swept> abortExpired(long graceSeconds, int limit) {
        return sweep(UploadState.AWAITING_UPLOAD, "expires_at", UploadState.ABORTED, graceSeconds, limit);
    }

    /** Marks up to {@code limit} uploads completed more than {@code ageSeconds} ago as PURGED. */
    List<Swept> purgeCompleted(long ageSeconds, int limit) {
        return sweep(UploadState.COMPLETE, "completed_at", UploadState.PURGED, ageSeconds, limit);
    }

    private List<Swept> sweep(UploadState from, String since, UploadState to, long seconds, int limit) {
        // the column name is one of two constants above, never input
        return jdbc.sql("""
                update uploads set state = :to
                where id in (select id from uploads where state = :from
                               and %s < now() - make_interval(secs => :seconds)
                             limit :limit for update skip locked)
                returning id, object_key, multipart_id""".formatted(since))
                .param("to", to.name())
                .param("from", from.name())
                .param("seconds", seconds)
                .param("limit", limit)
                .query((rs, n) -> new Swept(
                        rs.getObject("id", UUID.class), rs.getString("object_key"), rs.getString("multipart_id")))
                .list();
    }

    /** The object keys of every output of the jobs of an upload. */
    List<String> outputKeysOf(UUID uploadId) {
        return jdbc.sql("select o.value ->> 'key' from jobs j, jsonb_each(j.outputs) o where j.upload_id = ?")
                .param(uploadId)
                .query(String.class)
                .list();
    }

    private static Upload upload(ResultSet rs, int rowNum) throws SQLException {
        return new Upload(
                rs.getObject("id", UUID.class),
                rs.getObject("owner_id", UUID.class),
                rs.getString("file_name"),
                rs.getLong("size"),
                rs.getString("content_type"),
                rs.getString("detected_type"),
                rs.getString("object_key"),
                UploadState.valueOf(rs.getString("state")),
                rs.getObject("channel_id", UUID.class),
                instant(rs.getTimestamp("expires_at")),
                instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("completed_at")),
                rs.getObject("job_id", UUID.class),
                rs.getString("multipart_id"),
                rs.getObject("part_size", Long.class),
                rs.getObject("part_count", Integer.class),
                rs.getString("declared_sha256"),
                rs.getString("sha256"));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
