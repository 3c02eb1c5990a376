package io.chute.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * A bearer-token decoder that remembers the tokens it verified. A client sends the same token with every request,
 * and verifying it (MAC, JSON parsing, claim conversion and validation) took about a twelfth of the CPU of a
 * status read. A token is remembered for {@code ttl} at most (the account it names is looked up again after it,
 * see {@link Tokens}) and never past its own expiry; a token that fails verification is never
 * remembered, so a forged or expired one is checked (and refused) every time.
 *
 * <p>Hand-written because Spring Security's decoders cache only the keys they verify with, not verified tokens.
 */
final class RememberedTokens implements JwtDecoder {

    private final JwtDecoder verifier;
    private final Cache<String, Jwt> verified;

    RememberedTokens(JwtDecoder verifier, Duration ttl, long maximumSize) {
        this(verifier, ttl, maximumSize, Clock.systemUTC(), Ticker.systemTicker());
    }

    RememberedTokens(JwtDecoder verifier, Duration ttl, long maximumSize, Clock clock, Ticker ticker) {
        this.verifier = verifier;
        this.verified = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .ticker(ticker)
                .expireAfter(Expiry.<String, Jwt>creating((token, jwt) -> {
                    if (jwt.getExpiresAt() == null) {
                        return ttl;
                    }
                    Duration left = Duration.between(clock.instant(), jwt.getExpiresAt());
                    return left.isNegative() ? Duration.ZERO : (left.compareTo(ttl) < 0 ? left : ttl);
                }))
                .build();
    }

    @Override
    public Jwt decode(String token) throws JwtException {
        Jwt jwt = verified.getIfPresent(token);
        if (jwt != null) {
            return jwt;
        }
        jwt = verifier.decode(token);
        verified.put(token, jwt);
        return jwt;
    }
}
