package io.chute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Chute itself, started with a misspelt backend type: it stops at once, and the report names the property. */
@ExtendWith(OutputCaptureExtension.class)
class MisconfiguredStartTest {

    @TempDir
    Path dir;

    @Test
    void aMisspeltQueueTypeStopsTheStartNamingThePropertyAndItsValues(CapturedOutput output) {
        assertThatThrownBy(() -> SpringApplication.run(
                        ChuteApplication.class,
                        "--server.port=0",
                        "--chute.data-dir=" + dir,
                        "--chute.queue.type=rabitmq"))
                .hasStackTraceContaining("chute.queue.type");

        assertThat(output)
                .contains("APPLICATION FAILED TO START")
                .contains("Property: chute.queue.type")
                .contains("Value: \"rabitmq\"")
                .doesNotContain("required a bean of type");
    }
}
