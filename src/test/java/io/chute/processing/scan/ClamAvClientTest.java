package io.chute.processing.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chute.processing.scan.ClamAvClient.Verdict;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How clamd's replies to INSTREAM read: only a verdict is a verdict. */
class ClamAvClientTest {

    private final ClamAvClient client =
            new ClamAvClient("127.0.0.1", 3310, Duration.ofSeconds(1), Duration.ofSeconds(1), 1024);

    @Test
    void okIsClean() throws ClamAvException {
        assertThat(client.verdictOf("stream: OK")).isEqualTo(new Verdict.Clean());
    }

    @Test
    void foundNamesTheSignatureWithoutItsExtendedDetectionInfo() throws ClamAvException {
        assertThat(client.verdictOf("stream: Win.Test.EICAR_HDB-1 FOUND"))
                .isEqualTo(new Verdict.Infected("Win.Test.EICAR_HDB-1"));
        assertThat(client.verdictOf("stream: Win.Test.EICAR_HDB-1(44d88612fea8a8f36de82e1278abb02f:68) FOUND"))
                .isEqualTo(new Verdict.Infected("Win.Test.EICAR_HDB-1"));
    }

    @Test
    void sizeLimitsAreTooLargeNotInfected() throws ClamAvException {
        assertThat(client.verdictOf("INSTREAM size limit exceeded. ERROR"))
                .isEqualTo(new Verdict.TooLarge("StreamMaxLength"));
        assertThat(client.verdictOf("stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND"))
                .isEqualTo(new Verdict.TooLarge("Heuristics.Limits.Exceeded.MaxFileSize"));
        assertThat(client.verdictOf("stream: Heuristics.Limits.Exceeded.MaxScanSize FOUND"))
                .isEqualTo(new Verdict.TooLarge("Heuristics.Limits.Exceeded.MaxScanSize"));
    }

    @Test
    void otherLimitsStayFindings() throws ClamAvException {
        // why: too deep or too many files in an archive is how archive bombs look, not "too large to scan"
        assertThat(client.verdictOf("stream: Heuristics.Limits.Exceeded.MaxRecursion FOUND"))
                .isEqualTo(new Verdict.Infected("Heuristics.Limits.Exceeded.MaxRecursion"));
    }

    @Test
    void errorsAndAnythingElseAreNoVerdict() {
        assertThatThrownBy(() -> client.verdictOf("stream: Can't allocate memory ERROR"))
                .isInstanceOf(ClamAvException.class);
        assertThatThrownBy(() -> client.verdictOf("COMMAND READ TIMED OUT")).isInstanceOf(ClamAvException.class);
        assertThatThrownBy(() -> client.verdictOf("stream:  FOUND")).isInstanceOf(ClamAvException.class);
        assertThatThrownBy(() -> client.verdictOf("PONG")).isInstanceOf(ClamAvException.class);
    }
}
