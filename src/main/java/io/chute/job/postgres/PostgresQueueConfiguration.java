package io.chute.job.postgres;

import io.chute.config.ChuteProperties;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The jobs table as the job queue: {@code chute.queue.type=postgres}, the default. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "chute.queue.type", havingValue = "postgres", matchIfMissing = true)
class PostgresQueueConfiguration {

    @Bean
    PostgresJobQueue postgresJobQueue(PostgresClaims claims, DataSource dataSource, ChuteProperties properties) {
        return new PostgresJobQueue(claims, dataSource, properties.jobs());
    }
}
