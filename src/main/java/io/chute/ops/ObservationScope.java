package io.chute.ops;

import io.micrometer.observation.ObservationPredicate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Which observations (metrics and spans) Chute makes. Spring Security's are left out: it observes every filter of
 * its chain twice (before and after the request), the authentication and the authorisation, about a dozen
 * observations per API request, each with a span and timers, which took about a tenth of the CPU of the accept
 * path. The request itself stays observed ({@code http.server.requests}, its span and trace id) and so do the
 * spans Chute makes itself.
 */
@Configuration(proxyBeanMethods = false)
class ObservationScope {

    @Bean
    ObservationPredicate noSpringSecurityObservations() {
        return (name, context) -> !name.startsWith("spring.security.");
    }
}
