package io.chute.ops;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.observation.SecurityObservationSettings;

/**
 * Which observations (metrics and spans) Chute makes. Spring Security's are left out: it observes every filter of
 * its chain twice (before and after the request), the authentication and the authorisation, about a dozen
 * observations per API request, each with a span and timers, which took about a tenth of the CPU of the accept
 * path. With these settings Spring Security does not even wrap its filters, authentication manager and
 * authorisation manager in observing decorators (a predicate that refused the observations still left the
 * decorators making no-op observations around every filter). The request itself stays observed
 * ({@code http.server.requests}, its span and trace id) and so do the spans Chute makes itself.
 */
@Configuration(proxyBeanMethods = false)
class ObservationScope {

    @Bean
    SecurityObservationSettings noSpringSecurityObservations() {
        return SecurityObservationSettings.noObservations();
    }
}
