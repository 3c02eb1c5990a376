package io.chute.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chute.common.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HistoryCursorTest {

    @Test
    void roundTripsASeq() {
        for (long seq : new long[] {1, 42, 1_000_000, Long.MAX_VALUE}) {
            assertThat(HistoryCursor.parse(new HistoryCursor(seq).encode())).isEqualTo(new HistoryCursor(seq));
        }
    }

    @Test
    void noCursorIsTheNewestPage() {
        assertThat(HistoryCursor.parse(null)).isEqualTo(HistoryCursor.newest());
        assertThat(HistoryCursor.parse(" ")).isEqualTo(HistoryCursor.newest());
    }

    @Test
    void isOpaqueUrlSafeText() {
        assertThat(new HistoryCursor(123).encode()).matches("[A-Za-z0-9_-]+");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-a-cursor", "%%%", "aDE6", "aDE6LTU", "aDE6MA", "aDE6OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5"})
    void refusesAnythingElseAsABadRequest(String text) {
        assertThatThrownBy(() -> HistoryCursor.parse(text)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void refusesTheCursorsOfOtherVersions() {
        String other =
                Base64.getUrlEncoder().withoutPadding().encodeToString("h2:5".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> HistoryCursor.parse(other)).isInstanceOf(InvalidInputException.class);
    }
}
