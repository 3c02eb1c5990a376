package io.chute.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chute.job.JobStatus;
import io.chute.support.TestDatabase;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * V7's constraints: {@code jobs.status} and {@code uploads.state} take exactly the values of
 * {@link JobStatus} and {@link UploadState}, the upload's channel and job must exist, and a
 * database from before V7 with a dangling channel id migrates.
 */
class StatusConstraintsIT {

    private static TestDatabase database;
    private static JdbcClient jdbc;
    private static UUID owner;

    @BeforeAll
    static void migratedDatabase() {
        database = TestDatabase.create();
        jdbc = JdbcClient.create(database.dataSource());
        owner = user();
    }

    @AfterAll
    static void dropDatabase() {
        database.close();
    }

    @Test
    void everyJobStatusIsStoredAndNoOtherValue() {
        UUID upload = upload("COMPLETE", null);
        for (JobStatus status : JobStatus.values()) {
            job(upload, status.name());
        }
        assertThatThrownBy(() -> job(upload, "DONE"))
                .isInstanceOf(DataIntegrityViolationException.class)
                .hasMessageContaining("jobs_status_check");
    }

    @Test
    void everyUploadStateIsStoredAndNoOtherValue() {
        for (UploadState state : UploadState.values()) {
            upload(state.name(), null);
        }
        assertThatThrownBy(() -> upload("UPLOADED", null))
                .isInstanceOf(DataIntegrityViolationException.class)
                .hasMessageContaining("uploads_state_check");
    }

    @Test
    void anUploadNamesOnlyAChannelAndAJobThatExist() {
        assertThatThrownBy(() -> upload("AWAITING_UPLOAD", UUID.randomUUID()))
                .isInstanceOf(DataIntegrityViolationException.class)
                .hasMessageContaining("uploads_channel_id_fkey");
        UUID upload = upload("AWAITING_UPLOAD", null);
        assertThatThrownBy(() -> jdbc.sql("update uploads set job_id = ? where id = ?")
                        .params(UUID.randomUUID(), upload)
                        .update())
                .isInstanceOf(DataIntegrityViolationException.class)
                .hasMessageContaining("uploads_job_id_fkey");
    }

    @Test
    void aDatabaseFromBeforeTheConstraintsMigratesAndForgetsAChannelThatDoesNotExist() {
        try (TestDatabase old = TestDatabase.create()) {
            Flyway.configure()
                    .dataSource(old.dataSource())
                    .cleanDisabled(false)
                    .load()
                    .clean();
            Flyway.configure().dataSource(old.dataSource()).target("6").load().migrate();
            JdbcClient oldJdbc = JdbcClient.create(old.dataSource());
            UUID someone = UUID.randomUUID();
            oldJdbc.sql("insert into users (id, username, password_hash, display_name) values (?, ?, 'x', 'Old')")
                    .params(someone, "old-" + someone.toString().substring(0, 8))
                    .update();
            UUID upload = UUID.randomUUID();
            oldJdbc.sql("""
                    insert into uploads (id, owner_id, file_name, size, content_type, object_key, state, channel_id, expires_at)
                    values (?, ?, 'old.jpg', 1, 'image/jpeg', ?, 'AWAITING_UPLOAD', ?, now())""")
                    .params(upload, someone, "uploads/" + upload, UUID.randomUUID())
                    .update();

            Flyway.configure().dataSource(old.dataSource()).load().migrate();

            assertThat(oldJdbc.sql("select channel_id from uploads where id = ?")
                            .param(upload)
                            .query(UUID.class)
                            .optional())
                    .isEmpty();
            assertThat(oldJdbc.sql("select count(*) from uploads")
                            .query(Long.class)
                            .single())
                    .isEqualTo(1);
        }
    }

    private static UUID user() {
        UUID id = UUID.randomUUID();
        jdbc.sql("insert into users (id, username, password_hash, display_name) values (?, ?, 'x', 'Owner')")
                .params(id, "owner-" + id.toString().substring(0, 8))
                .update();
        return id;
    }

    private static UUID upload(String state, UUID channelId) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                insert into uploads (id, owner_id, file_name, size, content_type, object_key, state, channel_id, expires_at)
                values (?, ?, 'a.jpg', 1, 'image/jpeg', ?, ?, ?, now())""").params(id, owner, "uploads/" + id, state, channelId).update();
        return id;
    }

    private static void job(UUID upload, String status) {
        jdbc.sql(
                        "insert into jobs (job_id, owner_id, upload_id, type, status, max_attempts) values (?, ?, ?, 'image', ?, 5)")
                .params(UUID.randomUUID(), owner, upload, status)
                .update();
    }
}
