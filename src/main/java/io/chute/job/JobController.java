package io.chute.job;

import io.chute.auth.CurrentUser;
import io.chute.common.ApiException;
import io.chute.common.InvalidInputException;
import io.chute.config.ChuteProperties;
import io.chute.storage.ObjectStore;
import java.util.List;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class JobController {

    private static final int MAX_PAGE = 100;

    private final Jobs jobs;
    private final ObjectStore store;
    private final ChuteProperties properties;

    JobController(Jobs jobs, ObjectStore store, ChuteProperties properties) {
        this.jobs = jobs;
        this.store = store;
        this.properties = properties;
    }

    record JobPage(List<JobView> items, String nextCursor) {}

    @GetMapping("/api/jobs/{jobId}")
    JobView get(@PathVariable UUID jobId, CurrentUser caller) {
        Job job = jobs.find(new JobId(jobId))
                .filter(j -> caller.canSee(j.ownerId()))
                // why: 404 rather than 403, so job ids of other users cannot be probed
                .orElseThrow(() -> ApiException.notFound("Job"));
        return view(job);
    }

    @GetMapping("/api/jobs")
    JobPage list(CurrentUser caller,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) String type,
            @RequestParam(required = false) String cursor,
            @RequestParam(defaultValue = "20") int limit) {
        InvalidInputException.require(limit >= 1 && limit <= MAX_PAGE, "limit must be between 1 and " + MAX_PAGE);
        JobStatus wanted = null;
        if (status != null && !status.isBlank()) {
            try {
                wanted = JobStatus.valueOf(status.strip().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("status must be one of " + java.util.Arrays.toString(JobStatus.values()));
            }
        }
        Jobs.Page page = jobs.listByOwner(caller.id(), wanted, type == null || type.isBlank() ? null : type.strip(), cursor, limit);
        return new JobPage(page.items().stream().map(this::view).toList(), page.nextCursor());
    }

    private JobView view(Job job) {
        return JobView.of(job, store, properties.uploads().downloadUrlTtl());
    }
}
