package io.chute.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.storage.ObjectStore;
import io.chute.support.EmbeddedChuteIT;
import io.chute.support.Images;
import io.chute.support.TestClient;
import io.chute.support.TestUploads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Retention: expired uploads are aborted, and completed ones purged when a policy is set. */
class UploadRetentionIT extends EmbeddedChuteIT {

    @Autowired
    UploadJanitor janitor;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    ObjectStore store;

    @TempDir
    Path dir;

    @Test
    void anUploadNeverCompletedIsAbortedAfterItsUrlExpired() throws Exception {
        TestClient alice = newUser();
        Path photo = Images.jpeg(dir, 50, 40);
        Map<String, Object> signed = alice.post(
                        "/api/uploads",
                        Map.of("fileName", "late.jpg", "size", Files.size(photo), "contentType", "image/jpeg"))
                .json();
        assertThat(alice.put((String) signed.get("url"), TestUploads.headers(signed), photo)
                        .status())
                .isEqualTo(200);
        UUID id = UUID.fromString((String) signed.get("uploadId"));
        String key = jdbc.sql("select object_key from uploads where id = ?")
                .param(id)
                .query(String.class)
                .single();

        assertThat(janitor.abortExpired(Duration.ZERO)).as("not expired yet").isZero();
        jdbc.sql("update uploads set expires_at = now() - interval '1 minute' where id = ?")
                .param(id)
                .update();
        janitor.abortExpired(Duration.ZERO);

        assertThat(alice.get("/api/uploads/" + id).json()).containsEntry("state", "ABORTED");
        assertThat(store.stat(key)).isEmpty();
        assertThat(alice.post("/api/uploads/" + id + "/complete", Map.of()).status())
                .isEqualTo(409);
    }

    @Test
    void completedUploadsArePurgedWithTheirOutputsWhenOld() throws Exception {
        TestClient alice = newUser();
        Map<String, Object> accepted = TestUploads.acceptedJob(alice, Images.jpeg(dir, 300, 200));
        Map<String, Object> job = TestUploads.completedJob(alice, accepted);
        UUID id = UUID.fromString((String) accepted.get("uploadId"));
        @SuppressWarnings("unchecked")
        String thumbnail = (String) ((Map<String, Map<String, Object>>) job.get("outputs"))
                .get("thumbnail")
                .get("key");

        assertThat(janitor.purgeCompleted(Duration.ofDays(30)))
                .as("nothing that old")
                .isZero();
        assertThat(alice.get("/api/me").json().get("usage")).isNotEqualTo(Map.of("bytes", 0, "files", 0));
        jdbc.sql("update uploads set completed_at = now() - interval '31 days' where id = ?")
                .param(id)
                .update();
        janitor.purgeCompleted(Duration.ofDays(30));

        assertThat(alice.get("/api/uploads/" + id).json()).containsEntry("state", "PURGED");
        assertThat(alice.get("/api/me").json())
                .as("the purge frees the quota")
                .containsEntry("usage", Map.of("bytes", 0, "files", 0));
        assertThat(store.stat(thumbnail)).isEmpty();
        assertThat(alice.get("/api/uploads/" + id + "/download").status()).isEqualTo(410);
    }
}
