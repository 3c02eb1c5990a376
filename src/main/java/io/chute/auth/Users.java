package io.chute.auth;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
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
        return jdbc.sql("select * from users where id = ?")
                .param(id)
                .query(Users::user)
                .optional();
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
        jdbc.sql("select pg_advisory_xact_lock(hashtext('chute.users.register'))")
                .query()
                .singleValue();
        boolean first = jdbc.sql("select not exists (select 1 from users)")
                .query(Boolean.class)
                .single();
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                insert into users (id, username, password_hash, display_name, admin)
                values (?, ?, ?, ?, ?)""")
                .params(id, username, passwordHash, displayName, first || forceAdmin)
                .update();
        return find(id).orElseThrow();
    }

    /**
     * Users whose username or display name starts with {@code prefix}, ignoring case, by
     * username; at most {@code limit}. LIKE wildcards in the prefix match only themselves.
     */
    public List<User> search(String prefix, int limit) {
        String pattern = prefix.toLowerCase(Locale.ROOT)
                        .replace("\\", "\\\\")
                        .replace("%", "\\%")
                        .replace("_", "\\_") + "%";
        return jdbc.sql("""
                select * from users where lower(username) like :p or lower(display_name) like :p
                order by lower(username) limit :limit""")
                .param("p", pattern)
                .param("limit", limit)
                .query(Users::user)
                .list();
    }

    /** The users among {@code ids} that exist, in no particular order. */
    public List<User> findAll(Collection<UUID> ids) {
        return jdbc.sql("select * from users where id = any(?)")
                .param(ids.toArray(UUID[]::new))
                .query(Users::user)
                .list();
    }

    Optional<User> rename(UUID id, String displayName) {
        jdbc.sql("update users set display_name = ? where id = ?")
                .params(displayName, id)
                .update();
        return find(id);
    }

    boolean usernameTaken(String username) {
        return jdbc.sql("select exists (select 1 from users where lower(username) = lower(?))")
                .param(username)
                .query(Boolean.class)
                .single();
    }

    public static User user(ResultSet rs, int rowNum) throws SQLException {
        return new User(
                rs.getObject("id", UUID.class),
                rs.getString("username"),
                rs.getString("display_name"),
                rs.getBoolean("admin"),
                rs.getTimestamp("created_at").toInstant());
    }

    record StoredUser(User user, String passwordHash) {}
}
