package io.chute.chat;

import io.chute.common.ApiException;

/** What a reaction may be: any emoji, including sequences (skin tones, ZWJ families, keycaps, flags). */
final class Reactions {

    static final int MAX_CODE_POINTS = 16;

    private Reactions() {}

    /**
     * The emoji, checked: 1-{@value #MAX_CODE_POINTS} code points, none of them a space or control
     * character, at least one outside ASCII, and no ASCII but the digits, '#' and '*' of keycaps
     * (so "+1", "ok" or "a👍" are refused, "1️⃣" is not).
     */
    static String checkedEmoji(String emoji) {
        if (emoji == null
                || emoji.isEmpty()
                || emoji.codePointCount(0, emoji.length()) > MAX_CODE_POINTS
                || emoji.codePoints()
                        .anyMatch(
                                c -> Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c))
                || emoji.codePoints().allMatch(c -> c < 0x80)
                || emoji.codePoints().anyMatch(c -> c < 0x80 && "0123456789#*".indexOf(c) < 0)) {
            throw ApiException.badRequest("emoji must be one emoji (at most " + MAX_CODE_POINTS + " code points)");
        }
        return emoji;
    }
}
