package io.chute.common;

/**
 * Thrown by request records that validate in their constructor. It surfaces as a 400 with this
 * message as the detail, even when raised while JSON is being bound.
 */
public class InvalidInputException extends IllegalArgumentException {

    public InvalidInputException(String detail) {
        super(detail);
    }

    /** Fails with {@code detail} unless {@code condition} holds. */
    public static void require(boolean condition, String detail) {
        if (!condition) {
            throw new InvalidInputException(detail);
        }
    }

    /**
     * Fails unless {@code value} is free of invisible formatting characters (Unicode category Cf): bidirectional
     * overrides disguise names ("invoice\u202Egpj.exe" shows as "invoiceexe.jpg").
     */
    public static void requireNoFormatting(String value, String field) {
        require(
                value == null || value.chars().noneMatch(c -> Character.getType(c) == Character.FORMAT),
                field + " must not contain invisible formatting characters");
    }

    /** The trimmed text, or a failure naming {@code field} when it is missing, blank or too long. */
    public static String requireText(String value, String field, int maxLength) {
        require(value != null && !value.isBlank(), field + " is required");
        String trimmed = value.strip();
        require(trimmed.length() <= maxLength, field + " must be at most " + maxLength + " characters");
        require(trimmed.chars().noneMatch(Character::isISOControl), field + " must not contain control characters");
        return trimmed;
    }
}
