package io.chute.auth;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The user accounts, stored in {@code users}. */
@Repository
public class Users {

    private final JdbcClient jdbc;

    Users(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<User> find(UUID id) {
        return jdbc.sql("select * from users where id = ?").param(id).query(Users::user).optional();
    }

    Optional<StoredUser> findByUsername(String username) {
        return jdbc.sql("select * from users where lower(username) = lower(?)")
                .param(username)
                .query((rs, n) -> new StoredUser(user(rs, n), rs.getString("password_hash")))
                .optional();
    }

    /**
     * Inserts a user; the very first one becomes an admin. Serialised by a transaction-scoped
     * advisory lock so two concurrent first registrations cannot both become admin.
     */
    User insert(String username, String passwordHash, String displayName, boolean forceAdmin) {
        jdbc.sql("select pg_advisory_xact_lock(hashtext('chute.users.register'))").query().singleValue();
        boolean first = jdbc.sql("select not exists (select 1 from users)").query(Boolean.class).single();
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                insert into users (id, username, password_hash, display_name, admin)
                values (?, ?, ?, ?, ?)""")
                .params(id, username, passwordHash, displayName, first || forceAdmin)
                .update();
        return find(id).orElseThrow();
    }

    boolean usernameTaken(String username) {
        return jdbc.sql("select exists (select 1 from users where lower(username) = lower(?))")
                .param(username).query(Boolean.class).single();
    }

    private static User user(ResultSet rs, int rowNum) throws SQLException {
        return new User(rs.getObject("id", UUID.class), rs.getString("username"), rs.getString("display_name"),
                rs.getBoolean("admin"), rs.getTimestamp("created_at").toInstant());
    }

    record StoredUser(User user, String passwordHash) {}
}
