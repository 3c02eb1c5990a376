package io.chute.common;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Whether PostgreSQL is unreachable from this node's request paths, for logging: the first
 * failure of an outage is one WARN, the ones after it are DEBUG, and the first success after it
 * says the database is back (an API request that did not fail with a 5xx). Requests meanwhile
 * get 503 with {@code Retry-After} (see {@code ProblemHandler}).
 */
@Component
public class DatabaseOutages implements HandlerInterceptor {

    private static final Logger log = LoggerFactory.getLogger(DatabaseOutages.class);

    // why: one state per JVM, as there is one connection pool per node: request paths and background loops
    // (job claims, presence, lease recovery) share it, so an outage is one WARN whichever saw it first
    private static final AtomicBoolean down = new AtomicBoolean();

    private static final Duration OVERLOAD_WARNING_INTERVAL = Duration.ofMinutes(1);
    private static final AtomicLong lastOverloadWarning = new AtomicLong();

    /**
     * True if {@code e} (or a cause) says only that every pooled connection stayed busy for the pool's connection
     * timeout while the database itself answers: Hikari's timeout without a cause (it carries the last failure to
     * connect as its cause, and forgets it once a connection is made again). This node is overloaded: the request
     * is refused with a 503 like an outage's, but PostgreSQL is not reported unreachable for it.
     */
    public static boolean isOverloaded(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException pool
                    && pool.getCause() == null
                    && pool.getMessage() != null
                    && pool.getMessage().contains("Connection is not available")) {
                return true;
            }
        }
        return false;
    }

    /**
     * True if {@code e} (or a cause) says the database could not be reached or did not answer in time, including
     * when the pool had no connection free in time ({@link #isOverloaded}): either way there is no database now.
     */
    public static boolean isUnreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DataAccessResourceFailureException
                    || t instanceof TransientDataAccessException
                    || t instanceof CannotCreateTransactionException
                    || t instanceof SQLTransientConnectionException
                    || t instanceof SQLException sql
                            && sql.getSQLState() != null
                            && sql.getSQLState().startsWith("08")
                    || isClosedByThePool(t)) {
                return true;
            }
            // a failed connection also fails the rollback, whose exception then carries the first one
            if (t instanceof TransactionSystemException tse
                    && tse.getApplicationException() != null
                    && isUnreachable(tse.getApplicationException())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Hikari's answer on a connection it has already closed (another thread's statement on it failed for a broken
     * connection): a plain {@code SQLException("Connection is closed")} without an SQL state, which the statement or
     * the rollback of a transaction holding that connection then gets instead of the network error.
     */
    private static boolean isClosedByThePool(Throwable t) {
        return t instanceof SQLException sql
                && sql.getSQLState() == null
                && "Connection is closed".equals(sql.getMessage());
    }

    /**
     * For a background loop: an unreachable database is reported through {@link #failed} (one WARN
     * per outage), anything else as a WARN of its own. Returns whether the database was unreachable.
     */
    public static boolean report(Logger caller, String what, Throwable e) {
        if (isOverloaded(e)) {
            // why: a background loop that waited out the pool retries at its next round; the requests say it
            log.debug("{}: no database connection free in time: {}", what, e.toString());
            return true;
        }
        if (isUnreachable(e)) {
            failed(what, e);
            return true;
        }
        caller.warn("{} failed: {}", what, e.toString());
        return false;
    }

    /**
     * A request path that failed for want of the database: an outage (one WARN when it starts) or, when the pool
     * was only busy ({@link #isOverloaded}), an overload, which is at most one WARN a minute and leaves the outage
     * state alone.
     */
    public static void failed(String where, Throwable e) {
        if (isOverloaded(e)) {
            long now = System.nanoTime();
            long last = lastOverloadWarning.get();
            if ((last == 0 || now - last > OVERLOAD_WARNING_INTERVAL.toNanos())
                    && lastOverloadWarning.compareAndSet(last, now == 0 ? 1 : now)) {
                log.warn(
                        "Overloaded ({}): every database connection stayed busy for the pool's connection timeout;"
                                + " answering 503 to the requests that wait longer (said at most once a minute): {}",
                        where,
                        e.toString());
            } else {
                log.debug("Overloaded ({}): {}", where, e.toString());
            }
            return;
        }
        if (down.compareAndSet(false, true)) {
            log.warn("PostgreSQL is unreachable ({}): answering 503 until it is back: {}", where, e.toString());
        } else {
            log.debug("PostgreSQL still unreachable ({}): {}", where, e.toString());
        }
    }

    public static void succeeded() {
        if (down.get() && down.compareAndSet(true, false)) {
            log.info("PostgreSQL is reachable again");
        }
    }

    public static boolean isDown() {
        return down.get();
    }

    @Override
    public void afterCompletion(
            HttpServletRequest request, HttpServletResponse response, Object handler, Exception ex) {
        if (down.get() && ex == null && response.getStatus() < 500) {
            succeeded();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Web implements WebMvcConfigurer {

        private final DatabaseOutages outages;

        Web(DatabaseOutages outages) {
            this.outages = outages;
        }

        @Override
        public void addInterceptors(InterceptorRegistry registry) {
            registry.addInterceptor(outages).addPathPatterns("/api/**");
        }
    }
}
