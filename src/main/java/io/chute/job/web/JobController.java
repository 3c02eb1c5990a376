package io.chute.job.web;

import io.chute.auth.CurrentUser;
import io.chute.common.InvalidInputException;
import io.chute.config.ChuteProperties;
import io.chute.config.ConditionalOnRole;
import io.chute.job.Job;
import io.chute.job.JobId;
import io.chute.job.JobPages;
import io.chute.job.JobQueue;
import io.chute.job.JobService;
import io.chute.job.JobStatus;
import io.chute.job.JobView;
import io.chute.job.Jobs;
import io.chute.storage.ObjectStore;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@ConditionalOnRole("api")
class JobController {

    private static final int MAX_PAGE = 100;

    private final Jobs jobs;
    private final JobPages pages;
    private final JobService service;
    private final JobQueue queue;
    private final ObjectStore store;
    private final ChuteProperties properties;

    JobController(
            Jobs jobs,
            JobPages pages,
            JobService service,
            JobQueue queue,
            ObjectStore store,
            ChuteProperties properties) {
        this.jobs = jobs;
        this.pages = pages;
        this.service = service;
        this.queue = queue;
        this.store = store;
        this.properties = properties;
    }

    record JobPage(List<JobView> items, String nextCursor) {}

    @GetMapping("/api/jobs/{jobId}")
    JobView get(@PathVariable UUID jobId, CurrentUser caller) {
        return view(service.readable(caller, new JobId(jobId)));
    }

    @PostMapping("/api/jobs/{jobId}/cancel")
    ResponseEntity<JobView> cancel(@PathVariable UUID jobId, CurrentUser caller) {
        return ResponseEntity.accepted().body(view(service.cancel(caller, new JobId(jobId))));
    }

    @PostMapping("/api/jobs/{jobId}/retry")
    ResponseEntity<JobView> retry(@PathVariable UUID jobId, CurrentUser caller) {
        return ResponseEntity.accepted().body(view(service.retry(caller, new JobId(jobId))));
    }

    record QueueView(
            String type,
            long pending,
            long processing,
            long retrying,
            long failed,
            long completedLastHour,
            int workers,
            int concurrency,
            Double rate,
            Integer ownerConcurrency,
            List<Jobs.OwnerBacklog> topOwners) {}

    /** How many owners per type the admin view lists. */
    static final int TOP_OWNERS = 5;

    record Queues(String transport, List<QueueView> queues) {}

    /**
     * Depth and throughput per job type; {@code workers} are this node's active threads for the
     * type; {@code topOwners} the owners with the biggest backlog of the type.
     */
    @GetMapping("/api/admin/queues")
    Queues queues() {
        Map<String, Integer> active = queue.activeWorkers();
        Map<String, Jobs.QueueStats> stats = new TreeMap<>();
        jobs.queueStats().forEach(s -> stats.put(s.type(), s));
        Map<String, List<Jobs.OwnerBacklog>> owners = jobs.topOwners(TOP_OWNERS);
        active.keySet().forEach(type -> stats.putIfAbsent(type, new Jobs.QueueStats(type, 0, 0, 0, 0, 0)));
        return new Queues(
                queue.name(),
                stats.values().stream()
                        .map(s -> new QueueView(
                                s.type(),
                                s.pending(),
                                s.processing(),
                                s.retrying(),
                                s.failed(),
                                s.completedLastHour(),
                                active.getOrDefault(s.type(), 0),
                                properties.jobs().concurrencyOf(s.type()),
                                properties.jobs().rateOf(s.type()),
                                properties.jobs().ownerConcurrencyOf(s.type()),
                                owners.getOrDefault(s.type(), List.of())))
                        .toList());
    }

    /** Jobs of every user in one status (by default the dead-letter set: FAILED), newest first. */
    @GetMapping("/api/admin/jobs")
    JobPage adminList(
            @RequestParam(defaultValue = "FAILED") String status,
            @RequestParam(required = false) String cursor,
            @RequestParam(defaultValue = "20") int limit) {
        InvalidInputException.require(limit >= 1 && limit <= MAX_PAGE, "limit must be between 1 and " + MAX_PAGE);
        JobPages.Page page = pages.listByStatus(parseStatus(status), cursor, limit);
        return new JobPage(page.items().stream().map(this::view).toList(), page.nextCursor());
    }

    @PostMapping("/api/admin/jobs/{jobId}/retry")
    ResponseEntity<JobView> adminRetry(@PathVariable UUID jobId, CurrentUser caller) {
        return ResponseEntity.accepted().body(view(service.retry(caller, new JobId(jobId))));
    }

    @GetMapping("/api/jobs")
    JobPage list(
            CurrentUser caller,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) String type,
            @RequestParam(required = false) String cursor,
            @RequestParam(defaultValue = "20") int limit) {
        InvalidInputException.require(limit >= 1 && limit <= MAX_PAGE, "limit must be between 1 and " + MAX_PAGE);
        JobStatus wanted = status == null || status.isBlank() ? null : parseStatus(status);
        JobPages.Page page = pages.listByOwner(
                caller.id(), wanted, type == null || type.isBlank() ? null : type.strip(), cursor, limit);
        return new JobPage(page.items().stream().map(this::view).toList(), page.nextCursor());
    }

    private static JobStatus parseStatus(String status) {
        try {
            return JobStatus.valueOf(status.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("status must be one of " + java.util.Arrays.toString(JobStatus.values()));
        }
    }

    private JobView view(Job job) {
        return JobView.of(job, store, properties.uploads().downloadUrlTtl());
    }
}
