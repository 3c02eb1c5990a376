package io.chute.support;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A fresh database on the machine's PostgreSQL (127.0.0.1:5432, or {@code CHUTE_TEST_PG_URL}),
 * migrated with Chute's Flyway scripts, dropped on close. Unreachable PostgreSQL fails the test:
 * it is never skipped.
 */
public final class TestDatabase implements AutoCloseable {

    private static final String SERVER =
            System.getenv().getOrDefault("CHUTE_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/");
    private static final String USER = System.getenv().getOrDefault("CHUTE_TEST_PG_USER", "postgres");

    private final String name;
    private final HikariDataSource dataSource;

    private TestDatabase(String name, HikariDataSource dataSource) {
        this.name = name;
        this.dataSource = dataSource;
    }

    public static TestDatabase create() {
        String name =
                "chute_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        admin("create database " + name);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url(name));
        config.setUsername(USER);
        config.setMaximumPoolSize(24);
        HikariDataSource ds = new HikariDataSource(config);
        Flyway.configure()
                .dataSource(ds)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        return new TestDatabase(name, ds);
    }

    public HikariDataSource dataSource() {
        return dataSource;
    }

    public String jdbcUrl() {
        return url(name);
    }

    public String user() {
        return USER;
    }

    /** Inserts a user to own jobs and uploads (no password: it never logs in) and returns its id. */
    public UUID insertUser() {
        UUID id = UUID.randomUUID();
        JdbcClient.create(dataSource)
                .sql("insert into users (id, username, password_hash, display_name) values (?, ?, 'x', 'Owner')")
                .params(id, "owner-" + id.toString().substring(0, 8))
                .update();
        return id;
    }

    @Override
    public void close() {
        dataSource.close();
        admin("drop database if exists " + name + " with (force)");
    }

    private static String url(String database) {
        return SERVER + database;
    }

    private static void admin(String sql) {
        try (Connection c = DriverManager.getConnection(url("postgres"), USER, null);
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "The machine's PostgreSQL at " + SERVER + " is needed for this test: " + e.getMessage(), e);
        }
    }
}
