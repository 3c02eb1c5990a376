package io.chute.chat;

import io.chute.common.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The position of a history page: the seq of the oldest message it returned, the next page being
 * the messages below it. Seqs number a channel's messages without gaps in commit order, so a
 * message arriving while a client pages cannot slip between two pages or appear twice.
 * Opaque to clients ({@code "h1:" + seq}, base64url), so it can change.
 */
record HistoryCursor(long beforeSeq) {

    private static final String PREFIX = "h1:";

    HistoryCursor {
        InvalidInputException.require(beforeSeq > 0, "before is not a valid cursor");
    }

    /** The first page: everything. */
    static HistoryCursor newest() {
        return new HistoryCursor(Long.MAX_VALUE);
    }

    String encode() {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((PREFIX + beforeSeq).getBytes(StandardCharsets.US_ASCII));
    }

    /** The cursor in {@code text}, or the newest page for none; a 400 for anything that is not a cursor. */
    static HistoryCursor parse(String text) {
        if (text == null || text.isBlank()) {
            return newest();
        }
        String decoded;
        try {
            decoded = new String(Base64.getUrlDecoder().decode(text.strip()), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("before is not a valid cursor");
        }
        InvalidInputException.require(
                decoded.startsWith(PREFIX)
                        && decoded.length() <= PREFIX.length() + 19
                        && decoded.substring(PREFIX.length()).chars().allMatch(Character::isDigit)
                        && decoded.length() > PREFIX.length(),
                "before is not a valid cursor");
        try {
            return new HistoryCursor(Long.parseLong(decoded.substring(PREFIX.length())));
        } catch (NumberFormatException e) {
            throw new InvalidInputException("before is not a valid cursor");
        }
    }
}
