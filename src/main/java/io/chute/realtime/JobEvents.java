package io.chute.realtime;

import io.chute.job.Job;
import io.chute.job.JobChanges;
import io.chute.job.JobTracing;
import io.chute.job.JobView;
import io.chute.job.Jobs;
import io.chute.storage.ObjectStore;
import io.micrometer.tracing.Span;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishes {@code job.updated} to a job's owner (and its {@link JobAudience}, e.g. a chat
 * channel) whenever the job changes on this node. Changes are gathered for a few milliseconds and
 * published in one batch: one query for the jobs, one insert into the replay log, then one bus
 * message per event, so a busy worker does not pay a round trip per change. Each event carries
 * the job as it is when the batch is read: two changes closer together than the gathering delay
 * may arrive as one event with the later state.
 */
final class JobEvents implements JobChanges, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JobEvents.class);
    static final String TYPE = "job.updated";
    private static final int BATCH = 1_000;

    private final Jobs jobs;
    private final JobTracing tracing;
    private final ObjectStore store;
    private final Duration urlTtl;
    private final Events events;
    private final List<JobAudience> audiences;
    private final JsonMapper json;
    private final long delayMillis;
    private final Set<UUID> changed = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final ScheduledExecutorService flusher =
            Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "chute-job-events"));

    JobEvents(Jobs jobs, ObjectStore store, Duration urlTtl, Events events, List<JobAudience> audiences, JsonMapper json,
            Duration delay) {
        this(jobs, store, urlTtl, events, audiences, json, delay, JobTracing.none());
    }

    JobEvents(Jobs jobs, ObjectStore store, Duration urlTtl, Events events, List<JobAudience> audiences, JsonMapper json,
            Duration delay, JobTracing tracing) {
        this.tracing = tracing;
        this.jobs = jobs;
        this.store = store;
        this.urlTtl = urlTtl;
        this.events = events;
        this.audiences = List.copyOf(audiences);
        this.json = json;
        this.delayMillis = delay.toMillis();
    }

    @Override
    public void changed(Collection<UUID> jobIds) {
        changed.addAll(jobIds);
        if (scheduled.compareAndSet(false, true)) {
            flusher.schedule(this::flush, delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void flush() {
        scheduled.set(false);
        List<UUID> ids = new ArrayList<>();
        for (Iterator<UUID> it = changed.iterator(); it.hasNext() && ids.size() < BATCH; ) {
            ids.add(it.next());
            it.remove();
        }
        try {
            publish(jobs.findAll(ids));
        } catch (RuntimeException e) {
            log.warn("{} job.updated events not published", ids.size(), e);
        }
        if (!changed.isEmpty() && scheduled.compareAndSet(false, true)) {
            flusher.execute(this::flush);
        }
    }

    private void publish(List<Job> batch) {
        if (batch.isEmpty()) {
            return;
        }
        Map<UUID, Set<Route>> extra = new HashMap<>();
        for (JobAudience audience : audiences) {
            audience.routesOf(batch).forEach((id, routes) -> extra.computeIfAbsent(id, k -> new HashSet<>()).addAll(routes));
        }
        List<EventLog.NewEntry> entries = new ArrayList<>(batch.size());
        // why: one publish serves the whole batch; each traced job gets its own span of it, in its own trace
        List<Span> spans = new ArrayList<>();
        for (Job job : batch) {
            if (job.traceParent() != null) {
                spans.add(tracing.start(job.traceParent(), TYPE + " publish"));
            }
            String data = json.writeValueAsString(JobView.of(job, store, urlTtl));
            if (job.ownerId() != null) {
                entries.add(new EventLog.NewEntry(Route.user(job.ownerId()), TYPE, data));
            }
            for (Route route : extra.getOrDefault(job.id().value(), Set.of())) {
                // why: the owner has it on their own route; a member owner must not get it twice
                entries.add(new EventLog.NewEntry(route, TYPE, data, job.ownerId()));
            }
        }
        try {
            events.publishAll(entries);
        } finally {
            JobTracing.endAll(spans);
        }
    }

    /** Publishes what is already gathered, then stops. */
    @Override
    public void close() {
        flusher.shutdown();
        try {
            flusher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
