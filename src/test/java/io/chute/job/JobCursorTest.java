package io.chute.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chute.common.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class JobCursorTest {

    private static final UUID ID = UUID.fromString("0b6f1e0c-3c7e-4d55-9c1b-6a3b2d7e8f90");

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2026-03-14T15:09:26.535897Z",
                "2026-03-14T15:09:26Z",
                "2026-03-14T15:09:26.000001Z",
                "2026-03-14T15:09:26.999999Z",
                "1970-01-01T00:00:00Z",
                "1969-12-31T23:59:59.999999Z",
                "1969-12-31T23:59:59.500000Z",
                "1900-01-01T00:00:00.000001Z",
                "0001-01-01T00:00:00Z",
                "9999-12-31T23:59:59.999999Z"
            })
    void roundTripsWithMicrosecondPrecision(String createdAt) {
        var cursor = new JobCursor(Instant.parse(createdAt), ID);

        assertThat(JobCursor.parse(cursor.encode())).isEqualTo(cursor);
    }

    @Test
    void dropsNanosecondsBelowTheMicrosecondLikePostgres() {
        var cursor = new JobCursor(Instant.parse("2026-03-14T15:09:26.535897932Z"), ID);

        assertThat(JobCursor.parse(cursor.encode()))
                .isEqualTo(new JobCursor(Instant.parse("2026-03-14T15:09:26.535897Z"), ID));
    }

    @Test
    void dropsNanosecondsTowardsTheEarlierMicrosecondBefore1970() {
        var cursor = new JobCursor(Instant.parse("1969-12-31T23:59:59.999999999Z"), ID);

        assertThat(JobCursor.parse(cursor.encode()))
                .isEqualTo(new JobCursor(Instant.parse("1969-12-31T23:59:59.999999Z"), ID));
    }

    @Test
    void encodesAsUrlSafeTextWithoutPadding() {
        String encoded = new JobCursor(Instant.parse("2026-03-14T15:09:26.535897Z"), ID).encode();

        assertThat(encoded).matches("[A-Za-z0-9_-]+");
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(
            strings = {
                "",
                "abc",
                "not base64!",
                "====",
                "eDp5" /* x:y */,
                "MTpub3QtYS11dWlk" /* 1:not-a-uuid */,
                "MTIz" /* 123 */,
                "Og" /* : */
            })
    void refusesGarbageAsInvalidInput(String text) {
        assertThatThrownBy(() -> JobCursor.parse(text))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("cursor");
    }

    @Test
    void theGarbageFixturesSayWhatTheyClaim() {
        // why: the Base64 literals above are only meaningful if they decode to the intended text
        assertThat(decoded("eDp5")).isEqualTo("x:y");
        assertThat(decoded("MTpub3QtYS11dWlk")).isEqualTo("1:not-a-uuid");
        assertThat(decoded("MTIz")).isEqualTo("123");
        assertThat(decoded("Og")).isEqualTo(":");
    }

    private static String decoded(String base64) {
        return new String(Base64.getUrlDecoder().decode(base64), StandardCharsets.US_ASCII);
    }
}
