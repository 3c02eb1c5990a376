package io.chute;

import io.chute.config.ChuteProperties;
import io.chute.job.JobQueue;
import io.chute.realtime.Events;
import io.chute.storage.ObjectStore;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** One clear line at start-up: where the data lives and which backends are in use, as the running beans say. */
@Component
class StartupReport {

    private static final Logger log = LoggerFactory.getLogger(StartupReport.class);

    private final ChuteProperties properties;
    private final DataSource dataSource;
    private final ObjectStore store;
    private final JobQueue queue;
    private final Events events;

    StartupReport(ChuteProperties properties, DataSource dataSource, ObjectStore store, JobQueue queue, Events events) {
        this.properties = properties;
        this.dataSource = dataSource;
        this.store = store;
        this.queue = queue;
        this.events = events;
    }

    @EventListener
    void ready(ApplicationReadyEvent event) {
        String port = event.getApplicationContext() instanceof WebServerApplicationContext web
                ? String.valueOf(web.getWebServer().getPort())
                : "?";
        log.info(
                "Chute is ready on port {}: roles {}, data dir {}, database {}, objects {}, job queue {}, event bus {}",
                port,
                properties.roles(),
                properties.dataDir().toAbsolutePath().normalize(),
                database(),
                store.describe(),
                queue.name(),
                events.transport());
    }

    private String database() {
        try (Connection c = dataSource.getConnection()) {
            String url = c.getMetaData().getURL();
            // why: a JDBC URL can carry a password; log only up to the query string
            int query = url.indexOf('?');
            return (query < 0 ? url : url.substring(0, query)) + " (PostgreSQL "
                    + c.getMetaData().getDatabaseProductVersion() + ")";
        } catch (SQLException e) {
            return "unreachable (" + e.getMessage() + ")";
        }
    }
}
