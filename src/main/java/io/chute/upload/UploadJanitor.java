package io.chute.upload;

import io.chute.config.ChuteProperties;
import io.chute.config.ConditionalOnRole;
import io.chute.storage.ObjectStore;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Retention, on worker nodes: uploads never completed are aborted (object deleted) once their
 * URL expired; with {@code chute.uploads.purge-completed-after} set, completed uploads older
 * than that lose their bytes and their jobs' outputs. Several nodes may sweep at once: rows are
 * taken with {@code SKIP LOCKED}.
 */
@Component
@ConditionalOnRole("worker")
class UploadJanitor {

    private static final Logger log = LoggerFactory.getLogger(UploadJanitor.class);
    private static final int BATCH = 200;
    /** Grace after expiry: a PUT that started just before may still be streaming. */
    private static final Duration EXPIRY_GRACE = Duration.ofMinutes(10);

    private final Uploads uploads;
    private final ObjectStore store;
    private final TransactionTemplate tx;
    private final ChuteProperties.Uploads config;

    UploadJanitor(Uploads uploads, ObjectStore store, TransactionTemplate tx, ChuteProperties properties) {
        this.uploads = uploads;
        this.store = store;
        this.tx = tx;
        this.config = properties.uploads();
    }

    @Scheduled(
            initialDelayString = "${chute.uploads.maintenance-interval:10m}",
            fixedDelayString = "${chute.uploads.maintenance-interval:10m}")
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
        return drain(() -> uploads.abortExpired(grace.toSeconds(), BATCH), false);
    }

    /** Deletes the bytes of uploads completed more than {@code age} ago, with their jobs' outputs. */
    int purgeCompleted(Duration age) {
        return drain(() -> uploads.purgeCompleted(age.toSeconds(), BATCH), true);
    }

    private int drain(Supplier<List<Uploads.Swept>> take, boolean withOutputs) {
        int total = 0;
        for (List<Uploads.Swept> batch; !(batch = tx.execute(s -> take.get())).isEmpty(); ) {
            for (Uploads.Swept row : batch) {
                // why: only an upload that never completed still has a multipart upload open in storage
                if (row.multipartId() != null && !withOutputs) {
                    abortQuietly(row.objectKey(), row.multipartId());
                }
                deleteQuietly(row.objectKey());
                if (withOutputs) {
                    uploads.outputKeysOf(row.id()).forEach(this::deleteQuietly);
                }
            }
            total += batch.size();
        }
        return total;
    }

    /** An expired multipart upload's parts would otherwise stay in storage (and be billed) for ever. */
    private void abortQuietly(String key, String multipartId) {
        try {
            store.abortMultipart(key, multipartId);
        } catch (IOException | RuntimeException e) {
            log.warn("Could not abort the multipart upload of {}: {}", key, e.toString());
        }
    }

    private void deleteQuietly(String key) {
        try {
            store.delete(key);
        } catch (IOException | RuntimeException e) {
            log.warn("Could not delete {}: {}", key, e.toString());
        }
    }
}
