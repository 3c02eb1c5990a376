package io.chute.search;

import io.chute.common.AfterCommit;
import io.chute.job.Job;
import io.chute.job.JobChanges;
import io.chute.job.JobStatus;
import io.chute.job.Jobs;
import io.chute.job.Output;
import io.chute.storage.ObjectStore;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Indexes the extracted text of documents for search: when a job that produced a {@code text}
 * output (a PDF's) completes, its text is read from storage as a stream, up to
 * {@value #MAX_CHARS} characters, into {@code upload_texts}. Runs on the node that completed the
 * job, off the completing thread; an upload is indexed once.
 */
@Component
class DocumentTexts implements JobChanges {

    static final int MAX_CHARS = 200_000;
    static final String TEXT_OUTPUT = "text";
    private static final Logger log = LoggerFactory.getLogger(DocumentTexts.class);

    private final Jobs jobs;
    private final ObjectStore store;
    private final UploadTexts texts;
    private final Set<UUID> changed = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final ExecutorService indexer = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("chute-document-texts").daemon().factory());

    DocumentTexts(Jobs jobs, ObjectStore store, UploadTexts texts) {
        this.jobs = jobs;
        this.store = store;
        this.texts = texts;
    }

    @Override
    public void changed(Collection<UUID> jobIds) {
        // why: this is told inside the job's transaction; the indexer reads the job on its own thread, which
        // sees the completion only once it is committed
        List<UUID> ids = List.copyOf(jobIds);
        AfterCommit.run(() -> {
            changed.addAll(ids);
            if (scheduled.compareAndSet(false, true)) {
                indexer.execute(this::drain);
            }
        });
    }

    private void drain() {
        scheduled.set(false);
        while (!changed.isEmpty()) {
            List<UUID> ids = new ArrayList<>();
            for (Iterator<UUID> it = changed.iterator(); it.hasNext() && ids.size() < 500; ) {
                ids.add(it.next());
                it.remove();
            }
            List<Job> batch;
            try {
                batch = jobs.findAll(ids);
            } catch (RuntimeException e) {
                log.warn("Indexing the text of {} documents failed: {}", ids.size(), e.toString());
                continue;
            }
            for (Job job : batch) {
                Output text = job.outputs() == null ? null : job.outputs().get(TEXT_OUTPUT);
                if (job.status() != JobStatus.COMPLETED || text == null || job.uploadId() == null) {
                    continue;
                }
                try {
                    index(job.uploadId(), text.key());
                } catch (RuntimeException e) {
                    // why: one document that cannot be indexed must not leave the rest of its batch unindexed
                    log.warn("Indexing the text of upload {} failed: {}", job.uploadId(), e.toString());
                }
            }
        }
    }

    /** Reads up to {@link #MAX_CHARS} characters of the stored text and indexes them, unless the upload has its text already. */
    void index(UUID uploadId, String textKey) {
        if (texts.has(uploadId)) {
            return;
        }
        StringBuilder text = new StringBuilder();
        boolean truncated;
        try (InputStream in = store.read(textKey);
                Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            char[] buffer = new char[8192];
            int n;
            while (text.length() < MAX_CHARS
                    && (n = reader.read(buffer, 0, Math.min(buffer.length, MAX_CHARS - text.length()))) > 0) {
                text.append(buffer, 0, n);
            }
            truncated = text.length() >= MAX_CHARS && reader.read() >= 0;
        } catch (IOException e) {
            log.warn("Could not read the text of upload {} to index it: {}", uploadId, e.toString());
            return;
        }
        // why: PostgreSQL text cannot hold NUL
        String content = text.toString().replace('\u0000', ' ');
        texts.insert(uploadId, content, truncated);
    }

    @PreDestroy
    void stop() {
        indexer.shutdownNow();
    }
}
