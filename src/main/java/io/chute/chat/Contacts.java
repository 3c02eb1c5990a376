package io.chute.chat;

import io.chute.auth.User;
import io.chute.auth.Users;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Each user's contact list ({@code contacts}), one way: Ann having Bob says nothing of Bob having Ann. */
@Repository
class Contacts {

    private final JdbcClient jdbc;

    Contacts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A contact with their presence. */
    record Contact(User user, boolean online, Instant lastSeenAt) {}

    List<Contact> of(UUID ownerId) {
        return jdbc.sql("""
                select u.*, coalesce(p.online, false) as online, p.last_seen_at
                from contacts c join users u on u.id = c.contact_id
                left join presence p on p.user_id = u.id
                where c.owner_id = ? order by lower(u.display_name), u.id""")
                .param(ownerId)
                .query((rs, n) -> {
                    Timestamp seen = rs.getTimestamp("last_seen_at");
                    return new Contact(
                            Users.user(rs, n), rs.getBoolean("online"), seen == null ? null : seen.toInstant());
                })
                .list();
    }

    /** Adds a contact; false when it already was one. */
    boolean add(UUID ownerId, UUID contactId) {
        return jdbc.sql("insert into contacts (owner_id, contact_id) values (?, ?) on conflict do nothing")
                        .params(ownerId, contactId)
                        .update()
                == 1;
    }

    boolean remove(UUID ownerId, UUID contactId) {
        return jdbc.sql("delete from contacts where owner_id = ? and contact_id = ?")
                        .params(ownerId, contactId)
                        .update()
                == 1;
    }
}
