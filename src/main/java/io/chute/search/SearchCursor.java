package io.chute.search;

import io.chute.common.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;

/**
 * The position after the last result of a search page, in its order: newest first, then by message
 * and by upload (a message's own text before its files). Results are keyed by what they are, not by
 * their rank or offset, so a message stored while a client pages cannot shift a result into the
 * next page twice. Opaque to clients ({@code "s1:" + micros + ":" + message + ":" + upload}, base64url).
 */
record SearchCursor(Instant createdAt, UUID messageId, UUID sub) {

    private static final String PREFIX = "s1:";
    /** What a message's own text sorts as, before its files. */
    static final UUID MESSAGE_SUB = new UUID(0, 0);

    String encode() {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt);
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((PREFIX + micros + ":" + messageId + ":" + sub).getBytes(StandardCharsets.US_ASCII));
    }

    /** 10000-01-01T00:00:00Z in microseconds since the epoch. */
    private static final long MAX_MICROS = 253_402_300_800_000_000L;

    /** The cursor in {@code text}, or null for the first page; a 400 for anything that is not a cursor. */
    static SearchCursor parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(text.strip()), StandardCharsets.US_ASCII);
            InvalidInputException.require(decoded.startsWith(PREFIX), "before is not a valid cursor");
            String[] parts = decoded.substring(PREFIX.length()).split(":", -1);
            InvalidInputException.require(parts.length == 3, "before is not a valid cursor");
            long micros = Long.parseLong(parts[0]);
            // why: every message is stored after 1970 and before 10000; a forged time outside them is a SQL error
            InvalidInputException.require(micros >= 0 && micros < MAX_MICROS, "before is not a valid cursor");
            Instant at = Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
            return new SearchCursor(at, UUID.fromString(parts[1]), UUID.fromString(parts[2]));
        } catch (IllegalArgumentException | java.time.DateTimeException | ArithmeticException e) {
            throw new InvalidInputException("before is not a valid cursor");
        }
    }
}
