package io.chute.auth;

import io.chute.config.ChuteProperties;
import java.time.Duration;
import java.util.List;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

/**
 * Which browser origins may call Chute, applied by Spring Security's CORS filter (preflights
 * included, before authentication): {@code /api/**} for the origins of
 * {@code chute.cors.allowed-origins} only (none: same origin only), with {@code Authorization} and
 * {@code Content-Type}; the embedded object endpoint {@code /objects/**} for any origin, since the
 * URL's signature, not the origin, is the credential, and its PUT answers expose {@code ETag}, without
 * which no browser can complete a multipart upload.
 */
final class CorsRules {

    private CorsRules() {}

    static UrlBasedCorsConfigurationSource of(ChuteProperties.Cors cors) {
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        if (!cors.allowedOrigins().isEmpty()) {
            source.registerCorsConfiguration("/api/**", api(cors.allowedOrigins()));
        }
        source.registerCorsConfiguration("/objects/**", objects());
        return source;
    }

    private static CorsConfiguration api(List<String> origins) {
        CorsConfiguration api = new CorsConfiguration();
        api.setAllowedOrigins(origins);
        api.setAllowedMethods(List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"));
        api.setAllowedHeaders(List.of("Authorization", "Content-Type"));
        api.setExposedHeaders(List.of("Location", "Retry-After", "RateLimit", "RateLimit-Policy"));
        // why: the bearer token travels in a header, never in a cookie, so credentialed requests are not needed
        api.setAllowCredentials(false);
        api.setMaxAge(Duration.ofHours(1));
        return api;
    }

    private static CorsConfiguration objects() {
        CorsConfiguration objects = new CorsConfiguration();
        objects.addAllowedOrigin(CorsConfiguration.ALL);
        objects.setAllowedMethods(List.of("GET", "HEAD", "PUT"));
        // why: the signed headers differ by store and upload (Content-Type, checksums); the signature checks them
        objects.addAllowedHeader(CorsConfiguration.ALL);
        objects.setExposedHeaders(List.of("ETag", "Repr-Digest"));
        objects.setMaxAge(Duration.ofMinutes(10));
        return objects;
    }
}
