package io.chute.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class UrlSignerTest {

    private static final long EXPIRY = 1_800_000_000L;

    private final UrlSigner signer = new UrlSigner(secret("the-signing-secret-of-32-bytes!!"));

    @Test
    void verifiesItsOwnSignature() {
        var grant = aPutGrant();

        assertThat(signer.verify(grant, signer.sign(grant))).isTrue();
    }

    @Test
    void verifiesAGetGrantWithoutContentTypeOrDownloadName() {
        var grant = new UrlSigner.Grant("GET", "processed/j/thumbnail", EXPIRY, -1, null, null);

        assertThat(signer.verify(grant, signer.sign(grant))).isTrue();
    }

    @Test
    void aPartSignatureIsBoundToItsUploadItsPartNumberAndItsSize() {
        String id = "3f2c1a9e-0000-4000-8000-000000000001";
        var part = UrlSigner.Grant.part("uploads/u/1", EXPIRY, 5_242_880, id, 2);
        String signature = signer.sign(part);

        assertThat(signer.verify(part, signature)).isTrue();
        assertThat(signer.verify(UrlSigner.Grant.part("uploads/u/1", EXPIRY, 5_242_880, id, 3), signature))
                .as("part number")
                .isFalse();
        assertThat(signer.verify(
                        UrlSigner.Grant.part("uploads/u/1", EXPIRY, 5_242_880, id.replace('1', '2'), 2), signature))
                .as("upload")
                .isFalse();
        assertThat(signer.verify(UrlSigner.Grant.part("uploads/u/1", EXPIRY, 5_242_881, id, 2), signature))
                .as("size")
                .isFalse();
        assertThat(signer.verify(new UrlSigner.Grant("PUT", "uploads/u/1", EXPIRY, 5_242_880, null, null), signature))
                .as("as a whole-object PUT")
                .isFalse();
    }

    @Test
    void signsUrlSafelyWithoutPadding() {
        assertThat(signer.sign(aPutGrant())).matches("[A-Za-z0-9_-]{43}");
    }

    static Stream<Arguments> tamperedGrants() {
        return Stream.of(
                tampered(
                        "method",
                        g -> new UrlSigner.Grant(
                                "GET", g.key(), g.expiresEpochSecond(), g.size(), g.contentType(), g.downloadName())),
                tampered(
                        "key",
                        g -> new UrlSigner.Grant(
                                g.method(),
                                "uploads/owner/other",
                                g.expiresEpochSecond(),
                                g.size(),
                                g.contentType(),
                                g.downloadName())),
                tampered(
                        "expiry",
                        g -> new UrlSigner.Grant(
                                g.method(),
                                g.key(),
                                g.expiresEpochSecond() + 1,
                                g.size(),
                                g.contentType(),
                                g.downloadName())),
                tampered(
                        "size",
                        g -> new UrlSigner.Grant(
                                g.method(),
                                g.key(),
                                g.expiresEpochSecond(),
                                g.size() + 1,
                                g.contentType(),
                                g.downloadName())),
                tampered(
                        "content type",
                        g -> new UrlSigner.Grant(
                                g.method(), g.key(), g.expiresEpochSecond(), g.size(), "text/html", g.downloadName())),
                tampered(
                        "download name",
                        g -> new UrlSigner.Grant(
                                g.method(), g.key(), g.expiresEpochSecond(), g.size(), g.contentType(), "other.jpg")),
                tampered(
                        "download name removed",
                        g -> new UrlSigner.Grant(
                                g.method(), g.key(), g.expiresEpochSecond(), g.size(), g.contentType(), null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tamperedGrants")
    void refusesTheSignatureWhenACoveredFieldChanges(String field, UnaryOperator<UrlSigner.Grant> change) {
        var signed = new UrlSigner.Grant("PUT", "uploads/owner/upload", EXPIRY, 1234, "image/jpeg", "cat.jpg");
        String signature = signer.sign(signed);

        assertThat(signer.verify(change.apply(signed), signature)).isFalse();
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(
            strings = {
                "",
                "garbage",
                "not base64!",
                "%%%",
                "AAAA",
                "====",
                "c2lnbmF0dXJlLW9mLXRoZS13cm9uZy1sZW5ndGg",
                "+/+/+/+/"
            })
    void refusesMissingOrMalformedSignaturesWithoutThrowing(String signature) {
        assertThat(signer.verify(aPutGrant(), signature)).isFalse();
    }

    @Test
    void refusesASignatureThatIsTruncatedOrExtended() {
        var grant = aPutGrant();
        byte[] mac = Base64.getUrlDecoder().decode(signer.sign(grant));
        var encoder = Base64.getUrlEncoder().withoutPadding();

        byte[] shorter = Arrays.copyOf(mac, mac.length - 1);
        byte[] longer = Arrays.copyOf(mac, mac.length + 1);

        assertThat(signer.verify(grant, encoder.encodeToString(shorter))).isFalse();
        assertThat(signer.verify(grant, encoder.encodeToString(longer))).isFalse();
    }

    @Test
    void refusesASignatureMadeWithAnotherSecret() {
        var grant = aPutGrant();
        var other = new UrlSigner(secret("another-signing-secret-32-bytes!"));

        assertThat(signer.verify(grant, other.sign(grant))).isFalse();
        assertThat(other.verify(grant, signer.sign(grant))).isFalse();
    }

    @Test
    void isNotExpiredUpToAndIncludingTheExpirySecond() {
        var grant = aPutGrant();

        assertThat(grant.expiredAt(Instant.ofEpochSecond(EXPIRY - 1))).isFalse();
        assertThat(grant.expiredAt(Instant.ofEpochSecond(EXPIRY))).isFalse();
        assertThat(grant.expiredAt(Instant.ofEpochSecond(EXPIRY).plusMillis(999)))
                .isFalse();
    }

    @Test
    void isExpiredFromTheSecondAfterTheExpiry() {
        var grant = aPutGrant();

        assertThat(grant.expiredAt(Instant.ofEpochSecond(EXPIRY + 1))).isTrue();
        assertThat(grant.expiredAt(Instant.ofEpochSecond(EXPIRY + 3600))).isTrue();
    }

    private static UrlSigner.Grant aPutGrant() {
        return new UrlSigner.Grant("PUT", "uploads/owner/upload", EXPIRY, 1234, "image/jpeg", null);
    }

    private static Arguments tampered(String field, UnaryOperator<UrlSigner.Grant> change) {
        return Arguments.of(field, change);
    }

    private static byte[] secret(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
