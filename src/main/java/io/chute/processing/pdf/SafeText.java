package io.chute.processing.pdf;

/**
 * Makes a string taken from an uploaded file fit to store and show: control characters and
 * unpaired surrogates become spaces (PostgreSQL refuses NUL and lone surrogates in text and
 * jsonb, and one refused job row would fail the whole completion batch it is in), runs of
 * whitespace collapse, and the result is trimmed and cut to a length without splitting a
 * surrogate pair.
 */
final class SafeText {

    private SafeText() {}

    /** The cleaned string, or null when nothing printable is left. */
    static String clean(String raw, int maxLength) {
        if (raw == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(raw.length(), maxLength));
        boolean pendingSpace = false;
        for (int i = 0; i < raw.length() && out.length() < maxLength; i++) {
            char c = raw.charAt(i);
            boolean pair =
                    Character.isHighSurrogate(c) && i + 1 < raw.length() && Character.isLowSurrogate(raw.charAt(i + 1));
            if (pair) {
                if (out.length() + (pendingSpace ? 3 : 2) > maxLength) {
                    break;
                }
                pendingSpace = appendSpace(out, pendingSpace);
                out.append(c).append(raw.charAt(++i));
            } else if (Character.isISOControl(c)
                    || Character.isSurrogate(c)
                    || Character.isWhitespace(c)
                    || Character.isSpaceChar(c)) {
                pendingSpace = out.length() > 0;
            } else {
                if (out.length() + (pendingSpace ? 2 : 1) > maxLength) {
                    break;
                }
                pendingSpace = appendSpace(out, pendingSpace);
                out.append(c);
            }
        }
        return out.isEmpty() ? null : out.toString();
    }

    private static boolean appendSpace(StringBuilder out, boolean pendingSpace) {
        if (pendingSpace) {
            out.append(' ');
        }
        return false;
    }
}
