package io.chute.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.Browser;
import io.chute.support.EmbeddedChuteIT;
import io.chute.support.Media;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** What a person sees of videos, sound and text in the web client: players that play, and previews of content. */
class WebPreviewsIT extends EmbeddedChuteIT {

    @TempDir
    Path dir;

    @Test
    void aPhoneVideoAndAVoiceNotePlayInlineAndACsvShowsItsRows() throws Exception {
        Path video = Media.phoneVideo(dir, 360, 640);
        Path note = dir.resolve("voice-note.ogg");
        Media.ffmpeg(
                dir, "-f", "lavfi", "-i", "sine=frequency=330:duration=2", "-c:a", "libvorbis", "-y", note.toString());
        Path csv = Files.writeString(dir.resolve("animals.csv"), "name,legs\nquokka,4\nemu,2\n");

        try (Browser ana = new Browser(port)) {
            ana.signUp(WebClientIT.uniqueName("ana"), "Ana Lima");
            ana.open("/#/files").await(By.cssSelector(".dropzone"));
            ana.awaitConnection("open");
            ana.pick(By.id("file-input"), video, note, csv);

            WebElement player = awaitPlayer(ana, video.getFileName().toString(), "video");
            assertThat(player.getAttribute("src")).contains("playable");
            assertThat(player.getAttribute("poster")).contains("poster");
            awaitPlayer(ana, note.getFileName().toString(), "audio");
            WebClientIT.awaitPreview(ana, csv.getFileName().toString());
            ana.screenshot("previews");
        }
    }

    /** Waits until the card of that file holds a player whose media has loaded far enough to know its duration. */
    private static WebElement awaitPlayer(Browser browser, String fileName, String tag) {
        return browser.until(Duration.ofSeconds(120), d -> {
            List<WebElement> players = d.findElements(
                    By.cssSelector("article.file-card[aria-label='" + fileName + "'] " + tag + ".inline-player"));
            if (players.isEmpty()) {
                return null;
            }
            Object duration = browser.script(
                    "return arguments[0].readyState >= 1 ? arguments[0].duration : 0", players.getFirst());
            return duration instanceof Number n && n.doubleValue() > 0 ? players.getFirst() : null;
        });
    }
}
