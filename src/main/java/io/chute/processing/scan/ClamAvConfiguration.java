package io.chute.processing.scan;

import io.chute.config.ChuteProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Virus scanning, when {@code chute.clamav.enabled=true}: the clamd client, the scanning step and its health. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "chute.clamav.enabled", havingValue = "true")
class ClamAvConfiguration {

    @Bean
    ClamAvClient clamAvClient(ChuteProperties properties) {
        ChuteProperties.Clamav clamav = properties.clamav();
        return new ClamAvClient(
                clamav.host(),
                clamav.port(),
                clamav.connectTimeout(),
                clamav.readTimeout(),
                Math.toIntExact(clamav.chunkSize().toBytes()));
    }

    @Bean
    ClamAvProcessor clamAvProcessor(ClamAvClient clamd, ChuteProperties properties) {
        return new ClamAvProcessor(clamd, properties.clamav().oversize());
    }

    /** {@code clamav} in {@code /actuator/health}: DOWN while clamd does not answer PING (uploads then wait, RETRYING). */
    @Bean
    HealthIndicator clamavHealthIndicator(ClamAvClient clamd) {
        return () -> {
            try {
                clamd.ping();
                return Health.up().withDetail("clamd", clamd.toString()).build();
            } catch (ClamAvException e) {
                return Health.down()
                        .withDetail("clamd", clamd.toString())
                        .withDetail("error", e.getMessage())
                        .build();
            }
        };
    }

    /** {@code clamav_up}: 1 while clamd answers PING, 0 otherwise (read at each scrape; a refused connection fails at once). */
    @Bean
    MeterBinder clamavUpGauge(ClamAvClient clamd) {
        return meters -> Gauge.builder("clamav.up", clamd, ClamAvConfiguration::answers)
                .description("1 while clamd answers PING, else 0")
                .register(meters);
    }

    private static double answers(ClamAvClient clamd) {
        try {
            clamd.ping();
            return 1;
        } catch (ClamAvException e) {
            return 0;
        }
    }
}
