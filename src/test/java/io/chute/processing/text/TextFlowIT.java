package io.chute.processing.text;

import static io.chute.support.FileFlow.metadata;
import static io.chute.support.FileFlow.output;
import static io.chute.support.FileFlow.uploadAndSettle;
import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.EmbeddedChuteIT;
import io.chute.support.Images;
import io.chute.support.TestClient;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Text, code and CSV files: their text as UTF-8 and a preview image of their start. */
class TextFlowIT extends EmbeddedChuteIT {

    @TempDir
    Path dir;

    @Test
    void aTextFileGetsItsTextAndAPreviewOfItsFirstLines() throws IOException {
        TestClient alice = newUser();
        Path notes = Files.writeString(dir.resolve("notes.txt"), "Shopping list\nrésumé paper\n\tpens\n");

        Map<String, Object> job = uploadAndSettle(alice, notes, "notes.txt", "text/plain", Duration.ofSeconds(60));

        assertThat(job).as(job.toString()).containsEntry("status", "COMPLETED").containsEntry("type", "text");
        assertThat(metadata(job)).containsEntry("encoding", "UTF-8").containsEntry("textTruncated", false);
        assertThat(textOf(alice, job)).isEqualTo("Shopping list\nrésumé paper\n\tpens\n");
        assertPreviewIsAnImage(alice, job);
    }

    @Test
    void aLegacyEncodedFileIsDetectedAndItsTextGivenAsUtf8() throws IOException {
        TestClient bob = newUser();
        String french = "Le cœur a ses raisons que la raison ne connaît point.\n";
        Path file = Files.write(dir.resolve("pascal.txt"), french.repeat(20).getBytes(Charset.forName("windows-1252")));

        Map<String, Object> job = uploadAndSettle(bob, file, "pascal.txt", "text/plain", Duration.ofSeconds(60));

        assertThat(job).containsEntry("status", "COMPLETED");
        assertThat((String) metadata(job).get("encoding")).isIn("windows-1252", "ISO-8859-1");
        assertThat(textOf(bob, job)).startsWith("Le cœur a ses raisons que la raison ne connaît point.");
    }

    @Test
    void aCsvGetsItsTextAndAPreviewOfItsFirstRows() throws IOException {
        TestClient carol = newUser();
        Path csv = Files.writeString(
                dir.resolve("animals.csv"), "name,legs,\"note, with comma\"\nquokka,4,smiles\nemu,2,runs\n");

        Map<String, Object> job = uploadAndSettle(carol, csv, "animals.csv", "text/csv", Duration.ofSeconds(60));

        assertThat(job).as(job.toString()).containsEntry("status", "COMPLETED").containsEntry("type", "text");
        assertThat(metadata(job)).containsEntry("csvColumns", 3);
        assertThat(textOf(carol, job)).contains("quokka,4,smiles");
        assertPreviewIsAnImage(carol, job);
    }

    private static String textOf(TestClient user, Map<String, Object> job) {
        Map<String, Object> text = output(job, "text");
        assertThat(text).containsEntry("contentType", "text/plain; charset=utf-8");
        return new String(user.fetch((String) text.get("url")).body(), StandardCharsets.UTF_8);
    }

    private static void assertPreviewIsAnImage(TestClient user, Map<String, Object> job) {
        Map<String, Object> preview = output(job, "preview");
        assertThat(preview).containsEntry("contentType", "image/jpeg");
        assertThat(Images.size(user.fetch((String) preview.get("url")).body()))
                .containsExactly((int) preview.get("width"), (int) preview.get("height"));
    }
}
