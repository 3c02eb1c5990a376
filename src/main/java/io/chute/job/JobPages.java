package io.chute.job;

import java.sql.Timestamp;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Pages of jobs, newest first, with opaque keyset cursors ({@link JobCursor}). */
@Repository
public class JobPages {

    private final JdbcClient jdbc;
    private final Jobs jobs;

    JobPages(JdbcClient jdbc, Jobs jobs) {
        this.jdbc = jdbc;
        this.jobs = jobs;
    }

    /** A page of the owner's jobs, newest first. */
    public Page listByOwner(UUID ownerId, JobStatus status, String type, String cursor, int limit) {
        JobCursor after = cursor == null || cursor.isBlank() ? null : JobCursor.parse(cursor);
        StringBuilder sql = new StringBuilder("select * from jobs where owner_id = :owner");
        if (status != null) {
            sql.append(" and status = :status");
        }
        if (type != null) {
            sql.append(" and type = :type");
        }
        if (after != null) {
            sql.append(" and (created_at, job_id) < (:createdAt, :jobId)");
        }
        sql.append(" order by created_at desc, job_id desc limit :limit");
        var spec = jdbc.sql(sql.toString()).param("owner", ownerId).param("limit", limit + 1);
        if (status != null) {
            spec = spec.param("status", status.name());
        }
        if (type != null) {
            spec = spec.param("type", type);
        }
        if (after != null) {
            spec = spec.param("createdAt", Timestamp.from(after.createdAt())).param("jobId", after.id());
        }
        return page(spec.query(jobs.rows()).list(), limit);
    }

    private static Page page(List<Job> rows, int limit) {
        if (rows.size() <= limit) {
            return new Page(rows, null);
        }
        List<Job> items = rows.subList(0, limit);
        Job last = items.getLast();
        return new Page(
                List.copyOf(items), new JobCursor(last.createdAt(), last.id().value()).encode());
    }

    public record Page(List<Job> items, String nextCursor) {}

    /** Jobs in one status, newest first, for the admin's dead-letter view. */
    public Page listByStatus(JobStatus status, String cursor, int limit) {
        JobCursor after = cursor == null || cursor.isBlank() ? null : JobCursor.parse(cursor);
        var spec = jdbc.sql("""
                select * from jobs where status = :status
                  and (cast(:createdAt as timestamptz) is null or (created_at, job_id) < (:createdAt, :jobId))
                order by created_at desc, job_id desc limit :limit""")
                .param("status", status.name())
                .param("createdAt", after == null ? null : Timestamp.from(after.createdAt()))
                .param("jobId", after == null ? null : after.id())
                .param("limit", limit + 1);
        return page(spec.query(jobs.rows()).list(), limit);
    }
}
