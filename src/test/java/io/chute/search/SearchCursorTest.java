package io.chute.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chute.common.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SearchCursorTest {

    @Test
    void aCursorReadsBackAsItWasWritten() {
        SearchCursor cursor = new SearchCursor(
                Instant.now().truncatedTo(ChronoUnit.MICROS), UUID.randomUUID(), SearchCursor.MESSAGE_SUB);

        assertThat(SearchCursor.parse(cursor.encode())).isEqualTo(cursor);
    }

    @Test
    void aForgedTimeOutsideWhatPostgresqlStoresIsA400NotASqlError() {
        for (String micros : new String[] {"-1", String.valueOf(Long.MIN_VALUE), "253402300800000000"}) {
            String forged = Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(("s1:" + micros + ":" + UUID.randomUUID() + ":" + UUID.randomUUID())
                            .getBytes(StandardCharsets.US_ASCII));

            assertThatThrownBy(() -> SearchCursor.parse(forged)).as(micros).isInstanceOf(InvalidInputException.class);
        }
    }
}
