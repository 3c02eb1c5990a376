package io.chute.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chute.common.ApiException;
import java.util.List;
import org.junit.jupiter.api.Test;

class TypePolicyTest {

    @Test
    void byDefaultEveryTypeIsAccepted() {
        TypePolicy policy = new TypePolicy(List.of("*/*"), List.of());

        assertThat(policy.accepts("application/x-msdownload")).isTrue();
        assertThat(policy.accepts("text/html")).isTrue();
        assertThat(policy.accepts("application/octet-stream")).isTrue();
    }

    @Test
    void aDeniedTypeOrPatternIsRefusedWithItsParametersIgnored() {
        TypePolicy policy = new TypePolicy(List.of("*/*"), List.of("application/x-msdownload", "video/*"));

        assertThat(policy.accepts("application/x-msdownload")).isFalse();
        assertThat(policy.accepts("video/mp4")).isFalse();
        assertThat(policy.accepts("text/plain; charset=UTF-8")).isTrue();
        assertThatThrownBy(() -> policy.require("video/webm", "The declared contentType"))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status().value()).isEqualTo(415));
    }

    @Test
    void allowedTypesNarrowWhatIsAccepted() {
        TypePolicy policy = new TypePolicy(List.of("image/*", "application/pdf"), List.of("image/svg+xml"));

        assertThat(policy.accepts("image/png")).isTrue();
        assertThat(policy.accepts("application/pdf")).isTrue();
        assertThat(policy.accepts("image/svg+xml")).isFalse();
        assertThat(policy.accepts("application/zip")).isFalse();
    }

    @Test
    void aTypeThatDoesNotParseIsJudgedAsOctets() {
        assertThat(new TypePolicy(List.of("*/*"), List.of("application/octet-stream")).accepts("not a type"))
                .isFalse();
    }

    @Test
    void anInvalidPatternFailsAtStart() {
        assertThatThrownBy(() -> new TypePolicy(List.of("*/*"), List.of("nonsense")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("denied-types");
    }
}
