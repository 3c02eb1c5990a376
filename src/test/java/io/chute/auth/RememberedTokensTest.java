package io.chute.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;

class RememberedTokensTest {

    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    private final AtomicLong nanos = new AtomicLong();
    private final List<String> verified = new ArrayList<>();

    /** A verifier that accepts tokens named "good-<seconds to expiry>" and counts its calls. */
    private final JwtDecoder verifier = token -> {
        verified.add(token);
        if (!token.startsWith("good-")) {
            throw new BadJwtException("bad signature");
        }
        long seconds = Long.parseLong(token.substring("good-".length()));
        return Jwt.withTokenValue(token)
                .header("alg", "HS256")
                .subject("someone")
                .issuedAt(NOW.minusSeconds(1))
                .expiresAt(NOW.plusSeconds(seconds))
                .build();
    };

    private RememberedTokens decoder() {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        return new RememberedTokens(verifier, Duration.ofMinutes(1), 100, clock, nanos::get);
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void aTokenIsVerifiedOnceWhileRemembered() {
        RememberedTokens decoder = decoder();

        Jwt first = decoder.decode("good-3600");
        Jwt again = decoder.decode("good-3600");

        assertThat(again).isSameAs(first);
        assertThat(verified).containsExactly("good-3600");
    }

    @Test
    void aTokenIsVerifiedAgainAfterTheTimeToLive() {
        RememberedTokens decoder = decoder();
        decoder.decode("good-3600");

        advance(Duration.ofSeconds(59));
        decoder.decode("good-3600");
        advance(Duration.ofSeconds(2));
        decoder.decode("good-3600");

        assertThat(verified).containsExactly("good-3600", "good-3600");
    }

    @Test
    void aTokenIsNeverRememberedPastItsOwnExpiry() {
        RememberedTokens decoder = decoder();
        decoder.decode("good-10");

        advance(Duration.ofSeconds(9));
        decoder.decode("good-10");
        advance(Duration.ofSeconds(2));
        decoder.decode("good-10");

        assertThat(verified).containsExactly("good-10", "good-10");
    }

    @Test
    void aRefusedTokenIsCheckedEveryTime() {
        RememberedTokens decoder = decoder();

        assertThatThrownBy(() -> decoder.decode("forged")).isInstanceOf(BadJwtException.class);
        assertThatThrownBy(() -> decoder.decode("forged")).isInstanceOf(BadJwtException.class);

        assertThat(verified).containsExactly("forged", "forged");
    }
}
