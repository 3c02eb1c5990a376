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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishes {@code job.updated} to a job's owner (and its {@link JobAudience}, e.g. a chat
 * channel) whenever the job changes on this node. {@link Jobs} tells it inside the change's
 * transaction: one query for the changed jobs as that transaction sees them, one insert into the
 * replay log, and, once the transaction commits, one bus message per event. So an event exists
 * exactly when its change committed, and carries the state that change made: a completion is
 * announced COMPLETED once (an earlier change's event can no longer read a later state).
 */
final class JobEvents implements JobChanges {

    static final String TYPE = "job.updated";

    private final Jobs jobs;
    private final JobTracing tracing;
    private final ObjectStore store;
    private final Duration urlTtl;
    private final Events events;
    private final List<JobAudience> audiences;
    private final JsonMapper json;

    JobEvents(
            Jobs jobs,
            ObjectStore store,
            Duration urlTtl,
            Events events,
            List<JobAudience> audiences,
            JsonMapper json) {
        this(jobs, store, urlTtl, events, audiences, json, JobTracing.none());
    }

    JobEvents(
            Jobs jobs,
            ObjectStore store,
            Duration urlTtl,
            Events events,
            List<JobAudience> audiences,
            JsonMapper json,
            JobTracing tracing) {
        this.tracing = tracing;
        this.jobs = jobs;
        this.store = store;
        this.urlTtl = urlTtl;
        this.events = events;
        this.audiences = List.copyOf(audiences);
        this.json = json;
    }

    @Override
    public void changed(Collection<UUID> jobIds) {
        publish(jobs.findAll(jobIds));
    }

    @Override
    public void changedRows(List<Job> rows) {
        publish(rows);
    }

    private void publish(List<Job> batch) {
        if (batch.isEmpty()) {
            return;
        }
        Map<UUID, Set<Route>> extra = new HashMap<>();
        for (JobAudience audience : audiences) {
            audience.routesOf(batch)
                    .forEach((id, routes) ->
                            extra.computeIfAbsent(id, k -> new HashSet<>()).addAll(routes));
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
}
