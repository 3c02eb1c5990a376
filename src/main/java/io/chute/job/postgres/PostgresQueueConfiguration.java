package io.chute.job.postgres;

import io.chute.config.ChuteProperties;
import io.chute.config.ChuteProperties.QueueType;
import io.chute.config.ConditionalOnBackend;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The jobs table as the job queue: {@code chute.queue.type=postgres}, the default. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBackend(queue = QueueType.POSTGRES)
class PostgresQueueConfiguration {

    @Bean
    PostgresJobQueue postgresJobQueue(PostgresClaims claims, DataSource dataSource, ChuteProperties properties) {
        return new PostgresJobQueue(claims, dataSource, properties.jobs());
    }
}
