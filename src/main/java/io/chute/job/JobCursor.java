package io.chute.job;

import io.chute.common.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/** Keyset position in a page of jobs: the last row's creation time (microseconds) and id. */
record JobCursor(Instant createdAt, UUID id) {
    /** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z, the years an ISO-8601 timestamp of four digits spans. */
    private static final long MIN_CURSOR_MICROS = -62_135_596_800_000_000L;

    private static final long MAX_CURSOR_MICROS = 253_402_300_799_999_999L;

    String encode() {
        long micros = createdAt.getEpochSecond() * 1_000_000 + createdAt.getNano() / 1_000;
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((micros + ":" + id).getBytes(StandardCharsets.US_ASCII));
    }

    static JobCursor parse(String text) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.US_ASCII).split(":", 2);
            long micros = Long.parseLong(parts[0]);
            // why: PostgreSQL's timestamptz ends in the year 294276; a forged cursor must be a 400, not a SQL error
            if (micros < MIN_CURSOR_MICROS || micros > MAX_CURSOR_MICROS) {
                throw new InvalidInputException("cursor is not valid");
            }
            return new JobCursor(
                    Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1_000L),
                    UUID.fromString(parts[1]));
        } catch (RuntimeException e) {
            throw new InvalidInputException("cursor is not valid");
        }
    }
}
