package io.chute.processing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chute.support.Bmps;
import io.chute.support.EmbeddedChuteIT;
import io.chute.support.Images;
import io.chute.support.TestClient;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Untrusted files through the whole system: each is refused at {@code complete} or REJECTED by
 * its job, cleanly (problem+json, no 500, one attempt, no retry storm).
 */
class HostileFilesIT extends EmbeddedChuteIT {

    @TempDir
    Path dir;

    @Test
    void aFileLyingAboutItsTypeIsProcessedAsWhatItReallyIs() throws IOException {
        TestClient alice = newUser();
        Path png = dir.resolve("really-a-png.jpg");
        ImageIO.write(
                new java.awt.image.BufferedImage(300, 200, java.awt.image.BufferedImage.TYPE_INT_RGB),
                "png",
                png.toFile());

        Map<String, Object> job = finalJob(alice, upload(alice, png, "image/jpeg"));

        assertThat(job).containsEntry("status", "COMPLETED").containsEntry("detectedType", "image/png");
    }

    @Test
    void randomBytesAndTextDeclaredAsImagesAreKeptAsWhatTheyReallyAre() throws IOException {
        TestClient alice = newUser();
        byte[] random = new byte[10_000];
        new java.util.Random(42).nextBytes(random);
        random[0] = 0x13; // why: no magic number starts with it
        Path noise = Files.write(dir.resolve("noise.jpg"), random);
        Path text = Files.writeString(dir.resolve("notes.png"), "just some text, not a picture\n".repeat(50));

        Map<String, Object> noiseJob = finalJob(alice, upload(alice, noise, "image/jpeg"));
        Map<String, Object> textJob = finalJob(alice, upload(alice, text, "image/jpeg"));

        assertThat(noiseJob)
                .containsEntry("status", "COMPLETED")
                .containsEntry("detectedType", "application/octet-stream");
        assertThat(textJob)
                .containsEntry("status", "COMPLETED")
                .containsEntry("type", "text")
                .containsEntry("detectedType", "text/plain");
        assertThat(noiseJob.get("outputs"))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .isEmpty();
    }

    @Test
    void aTruncatedJpegIsRejectedWithoutRetries() throws IOException {
        TestClient alice = newUser();
        byte[] whole = Files.readAllBytes(Images.jpeg(dir, 800, 600));
        Path truncated = Files.write(dir.resolve("cut.jpg"), Arrays.copyOf(whole, whole.length / 3));

        Map<String, Object> job = finalJob(alice, upload(alice, truncated, "image/jpeg"));

        assertThat(job).containsEntry("status", "REJECTED").containsEntry("attempts", 1);
        assertThat((String) job.get("error")).isNotBlank();
    }

    @Test
    void aPixelBombIsRejectedBeforeDecoding() throws IOException {
        TestClient alice = newUser();
        Path bomb = Files.write(dir.resolve("bomb.png"), pngClaiming(100_000, 100_000));

        Map<String, Object> job = finalJob(alice, upload(alice, bomb, "image/png"));

        assertThat(job).containsEntry("status", "REJECTED").containsEntry("attempts", 1);
        assertThat((String) job.get("error")).contains("pixels");
    }

    @Test
    void aTruncatedBmpIsRejectedWhateverSizeItsHeaderClaims() throws IOException {
        TestClient alice = newUser();
        // half of a 640x480 picture's pixels, under a header claiming 640x480 and under one claiming 10000x10000
        int dataBytes = 640 * 480 * 3 / 2;
        Path small = Files.write(dir.resolve("cut-small.bmp"), Bmps.truncated24Bit(640, 480, dataBytes));
        Path huge = Files.write(dir.resolve("cut-huge.bmp"), Bmps.truncated24Bit(10_000, 10_000, dataBytes));
        byte[] rle = Bmps.rle(Bmps.blocks(800, 600, 40), true);
        Path cutRle = Files.write(dir.resolve("cut-rle.bmp"), Bmps.cutRle(rle, rle.length / 2));

        for (Path bmp : java.util.List.of(small, huge, cutRle)) {
            Map<String, Object> job = finalJob(alice, upload(alice, bmp, "image/bmp"));

            assertThat(job)
                    .as(bmp.getFileName().toString())
                    .containsEntry("status", "REJECTED")
                    .containsEntry("attempts", 1)
                    .containsEntry("detectedType", "image/bmp");
            assertThat((String) job.get("error")).contains("image data is truncated");
            assertThat(job.get("outputs"))
                    .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                    .isEmpty();
        }
    }

    /** A PNG whose header claims the given size, with a few bytes of image data. */
    private static byte[] pngClaiming(int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(out);
        data.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(ihdr);
        h.writeInt(width);
        h.writeInt(height);
        h.write(new byte[] {8, 2, 0, 0, 0});
        chunk(data, "IHDR", ihdr.toByteArray());
        chunk(data, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x63, 0, 0, 0, 1, 0, 1});
        chunk(data, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(DataOutputStream out, String type, byte[] body) throws IOException {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(body.length);
        out.write(name);
        out.write(body);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(body);
        out.writeInt((int) crc.getValue());
    }

    private Map<String, Object> upload(TestClient user, Path file, String declared) {
        TestClient.Response complete = uploadResponse(user, file, declared);
        assertThat(complete.status()).as(complete.body()).isEqualTo(202);
        return complete.json();
    }

    private TestClient.Response uploadResponse(TestClient user, Path file, String declared) {
        try {
            Map<String, Object> signed = user.post(
                            "/api/uploads",
                            Map.of(
                                    "fileName",
                                    file.getFileName().toString(),
                                    "size",
                                    Files.size(file),
                                    "contentType",
                                    declared))
                    .json();
            @SuppressWarnings("unchecked")
            Map<String, String> headers = (Map<String, String>) signed.get("headers");
            assertThat(user.put((String) signed.get("url"), headers, file).status())
                    .isEqualTo(200);
            return user.post("/api/uploads/" + signed.get("uploadId") + "/complete", Map.of());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, Object> finalJob(TestClient user, Map<String, Object> accepted) {
        return await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> user.get((String) accepted.get("statusUrl")).json(),
                        j -> j.get("status").equals("COMPLETED")
                                || j.get("status").equals("REJECTED")
                                || j.get("status").equals("FAILED"));
    }
}
