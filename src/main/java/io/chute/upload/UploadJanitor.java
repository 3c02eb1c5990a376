package io.chute.upload;

import io.chute.config.ChuteProperties;
import io.chute.storage.ObjectStore;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Retention, on worker nodes: uploads never completed are aborted (object deleted) once their
 * URL expired; with {@code chute.uploads.purge-completed-after} set, completed uploads older
 * than that lose their bytes and their jobs' outputs. Several nodes may run it at once: rows
 * are taken with {@code SKIP LOCKED}.
 */
@Repository
@ConditionalOnExpression("'${chute.roles:api,gateway,worker}'.contains('worker')")
class UploadJanitor {

    private static final Logger log = LoggerFactory.getLogger(UploadJanitor.class);
    private static final int BATCH = 200;
    /** Grace after expiry: a PUT that started just before may still be streaming. */
    private static final Duration EXPIRY_GRACE = Duration.ofMinutes(10);

    private final JdbcClient jdbc;
    private final ObjectStore store;
    private final TransactionTemplate tx;
    private final ChuteProperties.Uploads config;

    UploadJanitor(JdbcClient jdbc, ObjectStore store, TransactionTemplate tx, ChuteProperties properties) {
        this.jdbc = jdbc;
        this.store = store;
        this.tx = tx;
        this.config = properties.uploads();
    }

    @Scheduled(initialDelayString = "${chute.uploads.maintenance-interval:10m}", fixedDelayString = "${chute.uploads.maintenance-interval:10m}")
    void sweep() {
        try {
            int aborted = abortExpired(EXPIRY_GRACE);
            int purged = config.purgeCompletedAfter() == null ? 0 : purgeCompleted(config.purgeCompletedAfter());
            if (aborted + purged > 0) {
                log.info("Retention: aborted {} expired uploads, purged {} completed ones", aborted, purged);
            }
        } catch (RuntimeException e) {
            log.warn("Retention sweep failed: {}", e.toString());
        }
    }

    /** Aborts uploads still awaiting their bytes {@code grace} after their URL expired. */
    int abortExpired(Duration grace) {
        int total = 0;
        for (List<Row> batch; !(batch = takeExpired(grace)).isEmpty(); ) {
            batch.forEach(row -> deleteQuietly(row.objectKey()));
            total += batch.size();
        }
        return total;
    }

    /** Deletes the bytes of uploads completed more than {@code age} ago, with their jobs' outputs. */
    int purgeCompleted(Duration age) {
        int total = 0;
        for (List<Row> batch; !(batch = takeCompleted(age)).isEmpty(); ) {
            for (Row row : batch) {
                deleteQuietly(row.objectKey());
                jdbc.sql("""
                        select o.value ->> 'key' from jobs j, jsonb_each(j.outputs) o where j.upload_id = ?""")
                        .param(row.id()).query(String.class).list().forEach(this::deleteQuietly);
            }
            total += batch.size();
        }
        return total;
    }

    record Row(UUID id, String objectKey) {}

    private List<Row> takeExpired(Duration grace) {
        return tx.execute(s -> jdbc.sql("""
                update uploads set state = 'ABORTED'
                where id in (select id from uploads where state = 'AWAITING_UPLOAD'
                               and expires_at < now() - make_interval(secs => ?)
                             limit ? for update skip locked)
                returning id, object_key""")
                .params(grace.toSeconds(), BATCH)
                .query((rs, n) -> new Row(rs.getObject("id", UUID.class), rs.getString("object_key")))
                .list());
    }

    private List<Row> takeCompleted(Duration age) {
        return tx.execute(s -> jdbc.sql("""
                update uploads set state = 'PURGED'
                where id in (select id from uploads where state = 'COMPLETE'
                               and completed_at < now() - make_interval(secs => ?)
                             limit ? for update skip locked)
                returning id, object_key""")
                .params(age.toSeconds(), BATCH)
                .query((rs, n) -> new Row(rs.getObject("id", UUID.class), rs.getString("object_key")))
                .list());
    }

    private void deleteQuietly(String key) {
        try {
            store.delete(key);
        } catch (IOException | RuntimeException e) {
            log.warn("Could not delete {}: {}", key, e.toString());
        }
    }
}
