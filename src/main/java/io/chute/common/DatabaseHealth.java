package io.chute.common;

import javax.sql.DataSource;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.jdbc.health.DataSourceHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code db} in {@code /actuator/health}: Spring Boot's check of the database, except that a node whose pooled
 * connections are all busy ({@link DatabaseOutages#isOverloaded}) is UP: the database answers, the node is only
 * loaded, and a DOWN would make a load balancer or an orchestrator take it out (or restart it) when it is most
 * needed. A database that cannot be reached is DOWN as before.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseHealth {

    /** Named as Spring Boot's own, which it therefore does not create. */
    @Bean
    DataSourceHealthIndicator dbHealthIndicator(DataSource dataSource) {
        return new BusyIsUp(dataSource);
    }

    static final class BusyIsUp extends DataSourceHealthIndicator {

        BusyIsUp(DataSource dataSource) {
            super(dataSource);
        }

        @Override
        protected void doHealthCheck(Health.Builder builder) throws Exception {
            try {
                super.doHealthCheck(builder);
            } catch (RuntimeException e) {
                if (!DatabaseOutages.isOverloaded(e)) {
                    throw e;
                }
                builder.up().withDetail("busy", "every pooled connection is in use");
            }
        }
    }
}
