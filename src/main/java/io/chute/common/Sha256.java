package io.chute.common;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/** SHA-256 digests as the API spells them (64 lowercase hex characters) and as HTTP headers carry them (base64). */
public final class Sha256 {

    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{64}");

    private Sha256() {}

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    /** The digest as lowercase hex. */
    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    /** {@code value} in lowercase, or null when absent; a failure naming {@code field} when it is not 64 hex characters. */
    public static String optionalHex(String value, String field) {
        if (value == null) {
            return null;
        }
        InvalidInputException.require(
                HEX.matcher(value).matches(), field + " must be 64 hexadecimal characters (a SHA-256)");
        return value.toLowerCase(Locale.ROOT);
    }

    /** The hex digest in base64, as {@code x-amz-checksum-sha256} and {@code Repr-Digest} carry it. */
    public static String base64(String hex) {
        return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
    }

    /** The RFC 9530 {@code Repr-Digest} field value of a hex SHA-256. */
    public static String reprDigest(String hex) {
        return "sha-256=:" + base64(hex) + ":";
    }
}
