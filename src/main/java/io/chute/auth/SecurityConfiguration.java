package io.chute.auth;

import io.chute.common.Problems;
import io.chute.config.ChuteProperties;
import java.net.URI;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Stateless bearer-token security: every {@code /api/**} call needs a valid token except
 * register and login; {@code /api/admin/**} needs an admin. The object endpoint authorises by
 * its URL signature instead. Failures answer in problem+json.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration implements WebMvcConfigurer {

    @Bean
    SecurityFilterChain api(HttpSecurity http, Tokens tokens, ChuteProperties properties) throws Exception {
        http.csrf(csrf -> csrf.disable())
                .cors(Customizer.withDefaults())
                // why: Spring Security already sends nosniff, X-Frame-Options and no-cache; these add the policy of the
                // web client
                .headers(headers -> headers.contentSecurityPolicy(
                                csp -> csp.policyDirectives(contentSecurityPolicy(properties.storage())))
                        .referrerPolicy(
                                referrer -> referrer.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER))
                        .frameOptions(frames -> frames.deny()))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .httpBasic(b -> b.disable())
                .formLogin(f -> f.disable())
                .logout(l -> l.disable())
                .authorizeHttpRequests(auth -> auth.requestMatchers("/api/auth/register", "/api/auth/login")
                        .permitAll()
                        .requestMatchers("/api/admin/**")
                        .hasAuthority("ROLE_ADMIN")
                        .requestMatchers("/api/**")
                        .authenticated()
                        .anyRequest()
                        .permitAll())
                .oauth2ResourceServer(rs -> rs.jwt(jwt -> jwt.decoder(tokens.decoder())
                                .jwtAuthenticationConverter(SecurityConfiguration::authentication))
                        .authenticationEntryPoint((request, response, e) -> {
                            response.setHeader("WWW-Authenticate", "Bearer");
                            Problems.write(response, HttpStatus.UNAUTHORIZED, "A valid bearer token is required");
                        })
                        .accessDeniedHandler((request, response, e) ->
                                Problems.write(response, HttpStatus.FORBIDDEN, "You may not do this")))
                .exceptionHandling(ex -> ex.authenticationEntryPoint((request, response, e) -> {
                            response.setHeader("WWW-Authenticate", "Bearer");
                            Problems.write(response, HttpStatus.UNAUTHORIZED, "A valid bearer token is required");
                        })
                        .accessDeniedHandler((request, response, e) ->
                                Problems.write(response, HttpStatus.FORBIDDEN, "You may not do this")));
        return http.build();
    }

    /** Found by name by {@code cors(withDefaults())} above; see {@link CorsRules}. */
    @Bean
    CorsConfigurationSource corsConfigurationSource(ChuteProperties properties) {
        return CorsRules.of(properties.cors());
    }

    /**
     * Scripts, styles and fonts only from Chute itself; images, media and uploads (XHR PUTs) also to and from the
     * object store, which on S3 is another origin; never framed.
     */
    static String contentSecurityPolicy(ChuteProperties.Storage storage) {
        String store = "";
        if (storage.type() == ChuteProperties.StorageType.S3) {
            String endpoint = storage.s3().endpoint();
            if (endpoint == null || endpoint.isBlank()) {
                store = " https://*.amazonaws.com";
            } else {
                URI uri = URI.create(endpoint.strip());
                String origin =
                        uri.getScheme() + "://" + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
                store = " " + origin + (storage.s3().pathStyle() ? "" : " " + origin.replace("://", "://*."));
            }
        }
        return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:" + store
                + "; media-src 'self' blob:" + store + "; connect-src 'self'" + store
                + "; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
    }

    private static JwtAuthenticationToken authentication(Jwt jwt) {
        CurrentUser user = Tokens.caller(jwt);
        List<SimpleGrantedAuthority> authorities = user.admin()
                ? List.of(new SimpleGrantedAuthority("ROLE_USER"), new SimpleGrantedAuthority("ROLE_ADMIN"))
                : List.of(new SimpleGrantedAuthority("ROLE_USER"));
        return new JwtAuthenticationToken(jwt, authorities, user.username());
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return new BCryptPasswordEncoder(10);
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(new CurrentUserResolver());
    }

    /** Lets a controller method take a {@link CurrentUser} parameter. */
    static final class CurrentUserResolver implements HandlerMethodArgumentResolver {

        @Override
        public boolean supportsParameter(MethodParameter parameter) {
            return parameter.getParameterType() == CurrentUser.class;
        }

        @Override
        public Object resolveArgument(
                MethodParameter parameter,
                ModelAndViewContainer mav,
                NativeWebRequest request,
                WebDataBinderFactory binders) {
            if (SecurityContextHolder.getContext().getAuthentication() instanceof JwtAuthenticationToken token) {
                return Tokens.caller(token.getToken());
            }
            throw io.chute.common.ApiException.unauthorized("A valid bearer token is required");
        }
    }
}
