package io.chute.zip;

import static io.chute.common.InvalidInputException.require;

import io.chute.auth.CurrentUser;
import io.chute.common.ApiException;
import io.chute.common.InvalidInputException;
import io.chute.config.ConditionalOnRole;
import io.chute.job.FileSharing;
import io.chute.job.Job;
import io.chute.job.JobId;
import io.chute.job.JobLane;
import io.chute.job.JobService;
import io.chute.job.JobStatus;
import io.chute.job.Jobs;
import io.chute.upload.UploadState;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/zips}: a zip job over the caller's own uploads, or with {@code channelId} over
 * files sent in that channel (any member may ask; its members are told how it goes), which waits
 * until their processing is COMPLETED and then streams them into one archive.
 */
@RestController
@ConditionalOnRole("api")
class ZipController {

    static final int MAX_INPUTS = 500;

    private final ZipInputs inputs;
    private final JobService jobService;
    private final Jobs jobs;
    private final TransactionTemplate tx;
    private final FileSharing sharing;

    ZipController(ZipInputs inputs, JobService jobService, Jobs jobs, TransactionTemplate tx, FileSharing sharing) {
        this.inputs = inputs;
        this.jobService = jobService;
        this.jobs = jobs;
        this.tx = tx;
        this.sharing = sharing;
    }

    record ZipRequest(List<UUID> uploadIds, String name, UUID channelId) {
        ZipRequest {
            require(uploadIds != null && !uploadIds.isEmpty(), "uploadIds must name at least one upload");
            require(uploadIds.size() <= MAX_INPUTS, "a zip takes at most " + MAX_INPUTS + " uploads");
            require(uploadIds.stream().allMatch(java.util.Objects::nonNull), "uploadIds must not contain null");
            uploadIds = List.copyOf(new LinkedHashSet<>(uploadIds));
            name = archiveName(name);
        }

        private static String archiveName(String raw) {
            if (raw == null || raw.isBlank()) {
                return "chute-archive.zip";
            }
            String name = InvalidInputException.requireText(raw, "name", 200);
            InvalidInputException.requireNoFormatting(name, "name");
            require(
                    !name.contains("/") && !name.contains("\\") && !name.startsWith("."),
                    "name must be a plain file name");
            return name.toLowerCase(java.util.Locale.ROOT).endsWith(".zip") ? name : name + ".zip";
        }
    }

    record Accepted(UUID jobId, JobStatus status, String statusUrl) {}

    @PostMapping("/api/zips")
    ResponseEntity<Accepted> create(@RequestBody ZipRequest request, CurrentUser caller) {
        UUID channelId = request.channelId();
        if (channelId != null && !sharing.isMember(caller.id(), channelId)) {
            throw ApiException.notFound("Channel");
        }
        Set<UUID> sentInChannel =
                channelId == null ? Set.of() : sharing.sentIn(channelId, Set.copyOf(request.uploadIds()));
        Map<UUID, ZipInputs.Candidate> found = inputs.find(request.uploadIds()).stream()
                .filter(c -> channelId == null ? caller.id().equals(c.ownerId()) : sentInChannel.contains(c.uploadId()))
                .collect(Collectors.toMap(ZipInputs.Candidate::uploadId, Function.identity()));
        List<Map<String, Object>> entries = new ArrayList<>();
        List<JobId> waitFor = new ArrayList<>();
        long total = 0;
        for (UUID id : request.uploadIds()) {
            ZipInputs.Candidate c = found.get(id);
            if (c == null) {
                throw ApiException.notFound("Upload " + id);
            }
            if (c.state() != UploadState.COMPLETE || c.jobId() == null) {
                throw ApiException.conflict("Upload " + id + " is not complete");
            }
            if (c.jobStatus() == JobStatus.REJECTED) {
                throw ApiException.forbidden("Upload " + id + " was refused and cannot be zipped");
            }
            if (c.jobStatus() == JobStatus.FAILED || c.jobStatus() == JobStatus.CANCELLED) {
                throw ApiException.conflict(
                        "The processing of upload " + id + " is " + c.jobStatus() + "; retry it first");
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("uploadId", id.toString());
            entry.put("fileName", c.fileName());
            entry.put("size", c.size());
            entry.put("detectedType", c.detectedType());
            entry.put("objectKey", c.objectKey());
            entries.add(entry);
            waitFor.add(new JobId(c.jobId()));
            total += c.size();
        }
        long size = total;
        Job job = tx.execute(s -> {
            Jobs.NewJob zip = new Jobs.NewJob(
                    caller.id(),
                    null,
                    ZipJobHandler.TYPE,
                    0,
                    request.name(),
                    size,
                    "application/zip",
                    null,
                    jobService.maxAttemptsOf(ZipJobHandler.TYPE),
                    null,
                    null,
                    channelId == null
                            ? Map.of(ZipJobHandler.INPUTS, entries)
                            : Map.of(ZipJobHandler.INPUTS, entries, JobService.CHANNEL_ID, channelId.toString()),
                    JobLane.BULK);
            Job created = jobService.submit(zip);
            jobs.dependOn(created.id(), waitFor);
            return created;
        });
        String statusUrl = "/api/jobs/" + job.id();
        return ResponseEntity.accepted()
                .location(URI.create(statusUrl))
                .body(new Accepted(job.id().value(), job.status(), statusUrl));
    }
}
