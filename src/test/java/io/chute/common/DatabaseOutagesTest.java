package io.chute.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

class DatabaseOutagesTest {

    @Test
    void aConnectionThatCannotBeHadIsAnOutage() {
        assertThat(DatabaseOutages.isUnreachable(
                        new CannotGetJdbcConnectionException("pool", new SQLTransientConnectionException("timed out"))))
                .isTrue();
        assertThat(DatabaseOutages.isUnreachable(new CannotCreateTransactionException("no connection")))
                .isTrue();
    }

    @Test
    void aConnectionLostMidStatementIsAnOutageEvenWhenTheRollbackFailedToo() {
        SQLException lost = new SQLException("An I/O error occurred", "08006");
        TransactionSystemException rollbackFailed = new TransactionSystemException("rollback failed", lost);
        rollbackFailed.initApplicationException(new RuntimeException(lost));

        assertThat(DatabaseOutages.isUnreachable(new RuntimeException(lost))).isTrue();
        assertThat(DatabaseOutages.isUnreachable(rollbackFailed)).isTrue();
    }

    @Test
    void aConnectionThePoolClosedAfterItBrokeIsAnOutageInTheStatementAndInTheRollback() {
        // Hikari's own exception on a connection it closed after another statement on it failed: no SQL state
        SQLException closed = new SQLException("Connection is closed");
        TransactionSystemException rollbackFailed = new TransactionSystemException("JDBC rollback failed", closed);
        rollbackFailed.initApplicationException(new UncategorizedSQLException("claim", "select", closed));

        assertThat(DatabaseOutages.isUnreachable(new UncategorizedSQLException("claim", "select", closed)))
                .isTrue();
        assertThat(DatabaseOutages.isUnreachable(rollbackFailed)).isTrue();
        assertThat(DatabaseOutages.isUnreachable(new SQLException("Connection is closed", "42000")))
                .isFalse();
    }

    @Test
    void aConstraintViolationOrABugIsNotAnOutage() {
        assertThat(DatabaseOutages.isUnreachable(new DataIntegrityViolationException("duplicate key")))
                .isFalse();
        assertThat(DatabaseOutages.isUnreachable(new IllegalStateException("bug")))
                .isFalse();
        assertThat(DatabaseOutages.isUnreachable(new RuntimeException(new SQLException("syntax", "42601"))))
                .isFalse();
    }

    @Test
    void aPoolTimeoutWithoutAFailedConnectionBehindItIsAnOverloadNotAnOutage() {
        // Hikari's words; its cause is the last failure to connect, none while the database answers
        var busy = new SQLTransientConnectionException(
                "chute - Connection is not available, request timed out after 500ms (total=10, active=10, idle=0,"
                        + " waiting=3)");
        var down = new SQLTransientConnectionException(
                "chute - Connection is not available, request timed out after 500ms (total=0, active=0, idle=0,"
                        + " waiting=3)",
                "08001",
                new SQLException("Connection to 127.0.0.1:5432 refused", "08001"));

        assertThat(DatabaseOutages.isOverloaded(new CannotGetJdbcConnectionException("pool", busy)))
                .isTrue();
        assertThat(DatabaseOutages.isOverloaded(new CannotCreateTransactionException("no connection", busy)))
                .isTrue();
        assertThat(DatabaseOutages.isOverloaded(new CannotGetJdbcConnectionException("pool", down)))
                .isFalse();
        assertThat(DatabaseOutages.isUnreachable(new CannotGetJdbcConnectionException("pool", down)))
                .isTrue();
        assertThat(DatabaseOutages.isOverloaded(
                        new RuntimeException(new SQLException("An I/O error occurred", "08006"))))
                .isFalse();
    }
}
