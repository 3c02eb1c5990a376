package io.chute.support;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A file sent through {@code POST /api/upload} and followed until its job settles, with readers for the job's parts. */
public final class FileFlow {

    private static final List<String> SETTLED = List.of("COMPLETED", "REJECTED", "FAILED");

    private FileFlow() {}

    /** Uploads {@code file} as {@code name} and returns the job once it is COMPLETED, REJECTED or FAILED. */
    public static Map<String, Object> uploadAndSettle(
            TestClient user, Path file, String name, String contentType, Duration atMost) {
        Multipart form = Multipart.file("file", name, contentType, file);
        TestClient.Response accepted = user.postRaw("/api/upload", form.contentType(), form.body());
        if (accepted.status() != 202) {
            throw new AssertionError("upload of " + name + " answered " + accepted.status() + ": " + accepted.body());
        }
        String statusUrl = (String) accepted.json().get("statusUrl");
        return await(name + " settles")
                .atMost(atMost)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> user.get(statusUrl).json(), job -> SETTLED.contains(job.get("status")));
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> metadata(Map<String, Object> job) {
        return (Map<String, Object>) job.get("metadata");
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> output(Map<String, Object> job, String name) {
        return ((Map<String, Map<String, Object>>) job.get("outputs")).get(name);
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> outputs(Map<String, Object> job) {
        return (Map<String, Object>) job.get("outputs");
    }
}
