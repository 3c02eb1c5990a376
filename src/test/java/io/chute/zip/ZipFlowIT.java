package io.chute.zip;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.EmbeddedChuteIT;
import io.chute.support.Images;
import io.chute.support.Multipart;
import io.chute.support.TestClient;
import io.chute.support.TestUploads;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Zips of a user's uploads: the archive holds every file byte for byte. */
class ZipFlowIT extends EmbeddedChuteIT {

    @TempDir
    Path dir;

    @Test
    void aZipOfThreeUploadsHoldsEachFileByteForByte() throws IOException {
        TestClient alice = newUser();
        Path first = Images.jpeg(dir, 640, 480);
        Path second = Images.jpeg(dir, 320, 240);
        Path third = Images.jpeg(dir, 100, 100);
        String a = (String) TestUploads.acceptedJob(alice, first).get("uploadId");
        String b = (String) TestUploads.acceptedJob(alice, second).get("uploadId");
        Multipart form = Multipart.file("file", first.getFileName().toString(), "image/jpeg", third);
        String c = (String) alice.postRaw("/api/upload", form.contentType(), form.body())
                .json()
                .get("uploadId");

        TestClient.Response accepted =
                alice.post("/api/zips", Map.of("uploadIds", List.of(a, b, c), "name", "holiday"));

        assertThat(accepted.status()).isEqualTo(202);
        assertThat(accepted.json()).containsEntry("status", "PENDING").containsKeys("jobId", "statusUrl");
        Map<String, Object> job = TestUploads.completedJob(alice, accepted.json());
        assertThat(job).containsEntry("type", "zip").containsEntry("fileName", "holiday.zip");
        @SuppressWarnings("unchecked")
        Map<String, Object> archive = ((Map<String, Map<String, Object>>) job.get("outputs")).get("archive");
        byte[] zip = alice.fetch((String) archive.get("url")).body();
        assertThat(((Number) archive.get("size")).longValue()).isEqualTo(zip.length);

        Map<String, byte[]> entries = unzip(zip);
        // the first and the third have the same file name: the archive keeps both
        String name = first.getFileName().toString();
        String stem = name.substring(0, name.lastIndexOf('.'));
        assertThat(entries).containsOnlyKeys(name, second.getFileName().toString(), stem + " (2).jpg");
        assertThat(entries.get(name)).isEqualTo(Files.readAllBytes(first));
        assertThat(entries.get(second.getFileName().toString())).isEqualTo(Files.readAllBytes(second));
        assertThat(entries.get(stem + " (2).jpg")).isEqualTo(Files.readAllBytes(third));
    }

    @Test
    void onlyTheCallersOwnCompletedUploadsCanBeZipped() {
        TestClient alice = newUser();
        TestClient mallory = newUser();
        String mine = (String)
                TestUploads.acceptedJob(alice, Images.jpeg(dir, 50, 50)).get("uploadId");

        assertThat(mallory.post("/api/zips", Map.of("uploadIds", List.of(mine))).status())
                .isEqualTo(404);
        assertThat(alice.post(
                                "/api/zips",
                                Map.of("uploadIds", List.of(UUID.randomUUID().toString())))
                        .status())
                .isEqualTo(404);
        assertThat(alice.post("/api/zips", Map.of("uploadIds", List.of())).status())
                .isEqualTo(400);
        assertThat(alice.post("/api/zips", Map.of("uploadIds", List.of("not-a-uuid")))
                        .status())
                .isEqualTo(400);
        assertThat(alice.post("/api/zips", Map.of("uploadIds", List.of(mine), "name", "../evil"))
                        .status())
                .isEqualTo(400);
        Map<String, Object> signed = alice.post(
                        "/api/uploads", Map.of("fileName", "pending.jpg", "size", 10, "contentType", "image/jpeg"))
                .json();
        assertThat(alice.post("/api/zips", Map.of("uploadIds", List.of(signed.get("uploadId"))))
                        .status())
                .isEqualTo(409);
    }

    private static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                entries.put(e.getName(), in.readAllBytes());
            }
        }
        return entries;
    }
}
