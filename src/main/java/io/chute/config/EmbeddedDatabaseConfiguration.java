package io.chute.config;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Zero-config database: an embedded PostgreSQL whose data lives under {@code chute.data-dir/pg}
 * and survives restarts. Used only when {@code spring.datasource.url} is not set.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.datasource.url:}'.isEmpty()")
class EmbeddedDatabaseConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabaseConfiguration.class);

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(ChuteProperties properties) {
        Path dir = properties.dataDir().toAbsolutePath().normalize().resolve("pg");
        try {
            Files.createDirectories(dir);
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("max_connections", "100")
                    .start();
            log.info("Embedded PostgreSQL on port {} with data in {}", postgres.getPort(), dir);
            return postgres;
        } catch (IOException | IllegalStateException e) {
            throw new IllegalStateException(
                    "Could not start the embedded PostgreSQL in " + dir
                            + " (is another Chute using this data dir?). Set spring.datasource.url to use an external one.",
                    e);
        }
    }

    @Bean(destroyMethod = "close")
    DataSource dataSource(EmbeddedPostgres postgres) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
        config.setPoolName("chute-embedded");
        config.setMaximumPoolSize(20);
        return new HikariDataSource(config);
    }
}
