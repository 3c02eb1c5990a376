package io.chute.auth;

import com.nimbusds.jose.jwk.source.ImmutableSecret;
import io.chute.config.ChuteProperties;
import io.chute.config.Secrets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.MappedJwtClaimSetConverter;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.stereotype.Component;

/** Issues and verifies HS256 bearer tokens signed with {@code chute.auth.token-secret}. */
@Component
public class Tokens {

    static final String ISSUER = "chute";

    private final NimbusJwtEncoder encoder;
    private final JwtDecoder decoder;
    private final ChuteProperties properties;

    Tokens(ChuteProperties properties, Users users) {
        this.properties = properties;
        SecretKey key = new SecretKeySpec(
                Secrets.load(properties.auth().tokenSecret(), properties.dataDir(), "token-signing"), "HmacSHA256");
        this.encoder = new NimbusJwtEncoder(new ImmutableSecret<>(key));
        NimbusJwtDecoder verifier = NimbusJwtDecoder.withSecretKey(key)
                .macAlgorithm(MacAlgorithm.HS256)
                .build();
        // why: Spring's default claim converter turns "iss" into a URL, and Chute's issuer ("chute") is none: every
        // request paid for an IllegalArgumentException (with its stack trace) before it fell back to the string
        verifier.setClaimSetConverter(
                MappedJwtClaimSetConverter.withDefaults(Map.of(JwtClaimNames.ISS, issuer -> issuer)));
        verifier.setJwtValidator(
                new DelegatingOAuth2TokenValidator<>(JwtValidators.createDefault(), namesAUser(users)));
        this.decoder = new RememberedTokens(verifier, VERIFIED_TOKEN_TTL, REMEMBERED_TOKENS);
    }

    /** At most this many verified tokens are remembered (about 2 KiB each). */
    static final long REMEMBERED_TOKENS = 10_000;

    /**
     * A correctly signed token must still name an existing account by its UUID: a token of a deleted user (or
     * one signed with a leaked secret for a made-up subject) is refused like a bad signature, never a 500.
     *
     * <p>The account is looked up when the token is verified, which {@link RememberedTokens} does once per token
     * and {@link #VERIFIED_TOKEN_TTL}: without that every bearer request paid a database round trip before its
     * own work (the most frequent query of the accept path under load). A refused token is not remembered, so a
     * made-up subject is looked up every time; accounts are never deleted by Chute, and one removed from the
     * database by hand is refused once its tokens' entries expire.
     */
    private static OAuth2TokenValidator<Jwt> namesAUser(Users users) {
        OAuth2Error invalid = new OAuth2Error("invalid_token", "The token does not name an existing user", null);
        return jwt -> {
            UUID id;
            try {
                id = UUID.fromString(String.valueOf(jwt.getSubject()));
            } catch (IllegalArgumentException e) {
                return OAuth2TokenValidatorResult.failure(invalid);
            }
            return users.find(id).isPresent()
                    ? OAuth2TokenValidatorResult.success()
                    : OAuth2TokenValidatorResult.failure(invalid);
        };
    }

    /** How long a verified token (and so the account it names) is taken as valid without checking again. */
    static final Duration VERIFIED_TOKEN_TTL = Duration.ofMinutes(1);

    String issue(User user) {
        Instant now = Instant.now();
        JwtClaimsSet claims = JwtClaimsSet.builder()
                .issuer(ISSUER)
                .subject(user.id().toString())
                .issuedAt(now)
                .expiresAt(now.plus(properties.auth().tokenTtl()))
                .claim("username", user.username())
                .claim("admin", user.admin())
                .build();
        return encoder.encode(JwtEncoderParameters.from(
                        JwsHeader.with(MacAlgorithm.HS256).build(), claims))
                .getTokenValue();
    }

    /** The decoder the resource server (and, later, the WebSocket handshake) verifies tokens with. */
    public JwtDecoder decoder() {
        return decoder;
    }

    /** The caller a verified token names. */
    public static CurrentUser caller(Jwt jwt) {
        return new CurrentUser(
                UUID.fromString(jwt.getSubject()),
                jwt.getClaimAsString("username"),
                Boolean.TRUE.equals(jwt.getClaimAsBoolean("admin")));
    }
}
