package io.chute.zip;

import io.chute.job.JobStatus;
import io.chute.upload.UploadState;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The uploads a zip may contain, with the state of their processing. */
@Repository
class ZipInputs {

    private final JdbcClient jdbc;

    ZipInputs(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** An upload asked for in a zip, as stored. */
    record Candidate(
            UUID uploadId,
            UUID ownerId,
            UploadState state,
            String fileName,
            long size,
            String detectedType,
            String objectKey,
            UUID jobId,
            JobStatus jobStatus) {}

    List<Candidate> find(Collection<UUID> uploadIds) {
        return jdbc.sql("""
                select u.id, u.owner_id, u.state, u.file_name, u.size, u.detected_type, u.object_key, u.job_id, j.status
                from uploads u left join jobs j on j.job_id = u.job_id
                where u.id = any(?)""")
                .param(uploadIds.toArray(UUID[]::new))
                .query((rs, n) -> new Candidate(
                        rs.getObject(1, UUID.class),
                        rs.getObject(2, UUID.class),
                        UploadState.valueOf(rs.getString(3)),
                        rs.getString(4),
                        rs.getLong(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getObject(8, UUID.class),
                        rs.getString(9) == null ? null : JobStatus.valueOf(rs.getString(9))))
                .list();
    }
}
