package io.chute.upload;

import static io.chute.support.TestUploads.completedJob;
import static io.chute.support.TestUploads.signedUpload;
import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.EmbeddedChuteIT;
import io.chute.support.Images;
import io.chute.support.Multipart;
import io.chute.support.TestClient;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's photo through both lanes, from sign-up to downloaded renditions, over real HTTP. */
class UploadFlowIT extends EmbeddedChuteIT {

    @TempDir
    Path dir;

    @Test
    void signedUploadOfA4000x3000PhotoGivesThreeRenditions() {
        TestClient alice = newUser();
        Path photo = Images.jpeg(dir, 4000, 3000);

        Map<String, Object> job = completedJob(alice, signedUpload(alice, photo, "holiday.jpg"));

        assertThat(job).containsEntry("detectedType", "image/jpeg").containsEntry("progress", 100);
        assertRendition(alice, job, "thumbnail", 200, 200);
        assertRendition(alice, job, "medium", 800, 600);
        assertRendition(alice, job, "large", 1920, 1440);
    }

    @Test
    void directUploadOfA1200x900PhotoIsNeverUpscaled() {
        TestClient bob = newUser();
        Path photo = Images.jpeg(dir, 1200, 900);

        Multipart form = Multipart.file("file", "C:\\Users\\bob\\small.jpg", "image/jpeg", photo);
        TestClient.Response accepted = bob.postRaw("/api/upload", form.contentType(), form.body());

        assertThat(accepted.status()).isEqualTo(202);
        Map<String, Object> job = completedJob(bob, accepted.json());
        assertThat(job).containsEntry("fileName", "small.jpg");
        assertRendition(bob, job, "thumbnail", 200, 200);
        assertRendition(bob, job, "medium", 800, 600);
        assertRendition(bob, job, "large", 1200, 900);
    }

    @Test
    void theOriginalDownloadsThroughAShortLivedSignedUrl() throws IOException {
        TestClient alice = newUser();
        Path photo = Images.jpeg(dir, 640, 480);
        Map<String, Object> accepted = signedUpload(alice, photo, "cat.jpg");
        completedJob(alice, accepted);

        TestClient.Response redirect = alice.get("/api/uploads/" + accepted.get("uploadId") + "/download");

        assertThat(redirect.status()).isEqualTo(302);
        HttpResponse<byte[]> original = alice.fetch(redirect.header("Location"));
        assertThat(original.statusCode()).isEqualTo(200);
        assertThat(original.body()).isEqualTo(Files.readAllBytes(photo));
        assertThat(original.headers().firstValue("Content-Disposition"))
                .hasValueSatisfying(v -> assertThat(v).contains("cat.jpg"));
        Map<String, Object> upload =
                alice.get("/api/uploads/" + accepted.get("uploadId")).json();
        assertThat(upload)
                .containsEntry("state", "COMPLETE")
                .containsEntry("detectedType", "image/jpeg")
                .containsEntry("jobId", accepted.get("jobId"));
    }

    @Test
    void completingTwiceReturnsTheSameJob() {
        TestClient alice = newUser();
        Map<String, Object> first = signedUpload(alice, Images.jpeg(dir, 300, 200), "a.jpg");

        TestClient.Response again = alice.post("/api/uploads/" + first.get("uploadId") + "/complete", Map.of());

        assertThat(again.status()).isEqualTo(202);
        assertThat(again.json().get("jobId")).isEqualTo(first.get("jobId"));
    }

    @Test
    void anUploadCanBeSentToOnesOwnChannelOnly() {
        TestClient alice = newUser();
        TestClient mallory = newUser();
        Object channelId = alice.post("/api/channels", Map.of("name", "Photos", "memberIds", List.of()))
                .json()
                .get("id");
        Map<String, Object> upload =
                Map.of("fileName", "shared.jpg", "size", 1000, "contentType", "image/jpeg", "channelId", channelId);

        assertThat(alice.post("/api/uploads", upload).status()).isEqualTo(201);
        TestClient.Response outsider = mallory.post("/api/uploads", upload);
        assertThat(outsider.status()).isEqualTo(404);
        assertThat(outsider.contentType()).startsWith("application/problem+json");
        TestClient.Response unknown = alice.post(
                "/api/uploads",
                Map.of(
                        "fileName",
                        "lost.jpg",
                        "size",
                        1000,
                        "contentType",
                        "image/jpeg",
                        "channelId",
                        java.util.UUID.randomUUID().toString()));
        assertThat(unknown.status()).isEqualTo(404);
    }

    @Test
    void completeBeforeAnyBytesIsAConflict() {
        TestClient alice = newUser();
        Map<String, Object> signed = alice.post(
                        "/api/uploads", Map.of("fileName", "later.jpg", "size", 1000, "contentType", "image/jpeg"))
                .json();

        TestClient.Response complete = alice.post("/api/uploads/" + signed.get("uploadId") + "/complete", Map.of());

        assertThat(complete.status()).isEqualTo(409);
        assertThat(complete.json()).containsKeys("type", "title", "status", "detail");
    }

    @Test
    void listsTheCallersJobsNewestFirstWithACursor() {
        TestClient carol = newUser();
        List<Object> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.addFirst(signedUpload(carol, Images.jpeg(dir, 64 + i, 48), "p" + i + ".jpg")
                    .get("jobId"));
        }
        signedUpload(newUser(), Images.jpeg(dir, 64, 48), "other.jpg"); // another user's job never shows up

        List<Object> seen = new ArrayList<>();
        String cursor = null;
        do {
            Map<String, Object> page = carol.get("/api/jobs?limit=2" + (cursor == null ? "" : "&cursor=" + cursor))
                    .json();
            for (Object item : (List<?>) page.get("items")) {
                seen.add(((Map<?, ?>) item).get("jobId"));
            }
            cursor = (String) page.get("nextCursor");
        } while (cursor != null);

        assertThat(seen).containsExactlyElementsOf(created);
        assertThat(carol.get("/api/jobs?cursor=not-a-cursor").status()).isEqualTo(400);
        assertThat(carol.get("/api/jobs?limit=0").status()).isEqualTo(400);
        assertThat(carol.get("/api/jobs?status=NOPE").status()).isEqualTo(400);
    }

    @SuppressWarnings("unchecked")
    private static void assertRendition(TestClient user, Map<String, Object> job, String name, int width, int height) {
        Map<String, Object> output = ((Map<String, Map<String, Object>>) job.get("outputs")).get(name);
        assertThat(output)
                .as(name)
                .containsEntry("key", "processed/" + job.get("jobId") + "/" + name)
                .containsEntry("contentType", "image/jpeg")
                .containsEntry("width", width)
                .containsEntry("height", height);
        HttpResponse<byte[]> bytes = user.fetch((String) output.get("url"));
        assertThat(bytes.statusCode()).isEqualTo(200);
        assertThat(Images.size(bytes.body())).as(name + " real pixel size").containsExactly(width, height);
        assertThat(((Number) output.get("size")).longValue()).isEqualTo(bytes.body().length);
    }
}
