package io.chute.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.Browser;
import io.chute.support.EmbeddedChuteIT;
import io.chute.support.Images;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/** A person sees how much their files take, under the content security policy Chute sends. */
class WebUsageIT extends EmbeddedChuteIT {

    @TempDir
    Path dir;

    @Test
    void theSidebarShowsWhatTheUsersFilesTakeAfterAnUpload() {
        Path photo = Images.jpeg(dir, 800, 600);
        try (Browser bea = new Browser(port)) {
            bea.signUp(WebClientIT.uniqueName("bea"), "Bea Costa");
            bea.open("/#/files").await(By.cssSelector(".dropzone"));
            assertThat(bea.await(By.id("storage-usage")).getText()).isEqualTo("0 B in 0 files");

            bea.pick(By.id("file-input"), photo);
            WebClientIT.awaitPreview(bea, photo.getFileName().toString());
            bea.open("/#/jobs").await(By.cssSelector("main h1"));

            bea.until(d -> d.findElement(By.id("storage-usage")).getText().endsWith("in 1 file") ? true : null);
        }
    }
}
