package io.chute.config;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.context.properties.ConfigurationProperties;
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
                    // why: its own JVM shutdown hook stopped PostgreSQL at the same moment as Spring's began closing
                    // the node, whose last writes (heartbeat, sockets, receipts) then failed; this bean's close
                    // stops it after everything that uses the pool
                    .setRegisterShutdownHook(false)
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

    /**
     * The pool takes the {@code spring.datasource.hikari.*} settings as an external database's does (the connection
     * timeout above all, which makes an overload or an outage a fast 503); only its size defaults to 20, since the
     * embedded PostgreSQL serves this node alone.
     */
    @Bean(destroyMethod = "close")
    @ConfigurationProperties("spring.datasource.hikari")
    HikariDataSource dataSource(EmbeddedPostgres postgres) {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
        pool.setPoolName("chute-embedded");
        pool.setMaximumPoolSize(20);
        return pool;
    }
}
