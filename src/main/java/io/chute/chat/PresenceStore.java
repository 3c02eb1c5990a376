package io.chute.chat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Presence shared by every gateway node, in PostgreSQL: the open sockets of each user on each
 * node ({@code presence_sockets}), each node's heartbeat ({@code nodes}, written by
 * {@code io.chute.node.NodeHeartbeat}), and each user's
 * state ({@code presence}). A user is online from their first socket anywhere until their last
 * one has been gone for the grace period; transitions are conditional updates, so of several
 * nodes seeing one, exactly one reports it.
 */
@Repository
class PresenceStore {

    private final JdbcClient jdbc;

    PresenceStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A change of a user's state, to tell the people interested in them. */
    record Change(UUID userId, boolean online, Instant lastSeenAt) {}

    /**
     * Records a socket; the change when this makes the user online. Run it in a transaction: the
     * user's row is locked from the check to the update.
     */
    Optional<Change> opened(UUID userId, String nodeId, String socketId) {
        jdbc.sql("insert into presence_sockets (user_id, node_id, socket_id) values (?, ?, ?) on conflict do nothing")
                .params(userId, nodeId, socketId)
                .update();
        jdbc.sql("insert into presence (user_id, online) values (?, false) on conflict do nothing")
                .param(userId)
                .update();
        boolean wasOnline = jdbc.sql("select online from presence where user_id = ? for update")
                .param(userId)
                .query(Boolean.class)
                .single();
        Instant now = jdbc.sql("""
                update presence set online = true, idle_since = null,
                       last_seen_at = case when online then last_seen_at else now() end
                where user_id = ? returning last_seen_at""")
                .param(userId)
                .query((rs, n) -> rs.getTimestamp(1).toInstant())
                .single();
        return wasOnline ? Optional.empty() : Optional.of(new Change(userId, true, now));
    }

    /** Forgets a socket; true when it was the user's last one anywhere (they are now idle). */
    boolean closed(UUID userId, String nodeId, String socketId) {
        jdbc.sql("delete from presence_sockets where node_id = ? and socket_id = ?")
                .params(nodeId, socketId)
                .update();
        return jdbc.sql("""
                update presence p set idle_since = now(), last_seen_at = now()
                where user_id = ? and online
                  and not exists (select 1 from presence_sockets s where s.user_id = p.user_id)""").param(userId).update() == 1;
    }

    /** Users idle for longer than {@code grace} go offline; answers them. */
    List<Change> expireIdle(Duration grace) {
        return jdbc.sql("""
                update presence p set online = false, last_seen_at = idle_since, idle_since = null
                where online and idle_since is not null and idle_since <= now() - make_interval(secs => ?)
                  and not exists (select 1 from presence_sockets s where s.user_id = p.user_id)
                returning user_id, last_seen_at""")
                .param(grace.toMillis() / 1000.0)
                .query((rs, n) -> new Change(
                        rs.getObject(1, UUID.class), false, rs.getTimestamp(2).toInstant()))
                .list();
    }

    /**
     * Sweeps the sockets of nodes whose heartbeat is older than {@code deadAfter} (they died
     * without closing them); their users become idle as of that heartbeat.
     */
    int sweepDeadNodes(Duration deadAfter) {
        return jdbc.sql("""
                with dead as (delete from nodes where heartbeat_at < now() - make_interval(secs => ?)
                              returning node_id, heartbeat_at),
                     gone as (delete from presence_sockets s using dead where s.node_id = dead.node_id
                              returning s.user_id, dead.heartbeat_at)
                update presence p set idle_since = least(coalesce(p.idle_since, g.at), g.at), last_seen_at = g.at
                from (select user_id, max(heartbeat_at) as at from gone group by user_id) g
                where p.user_id = g.user_id and p.online
                  and not exists (select 1 from presence_sockets s where s.user_id = p.user_id
                                  and s.node_id not in (select node_id from dead))""").param(deadAfter.toMillis() / 1000.0).update();
    }

    /** A stopping node's own sockets, removed as if each had closed; answers their users. */
    List<UUID> closeNode(String nodeId) {
        List<UUID> users = jdbc.sql("delete from presence_sockets where node_id = ? returning user_id")
                .param(nodeId)
                .query(UUID.class)
                .list();
        jdbc.sql("""
                update presence p set idle_since = now(), last_seen_at = now()
                where user_id = any(?) and online and idle_since is null
                  and not exists (select 1 from presence_sockets s where s.user_id = p.user_id)""").param(users.stream().distinct().toArray(UUID[]::new)).update();
        return users;
    }

    /**
     * Whoever should hear of the user's presence: those who have them as a contact, and the
     * members of the channels they share, each once.
     */
    List<UUID> audienceOf(UUID userId) {
        return jdbc.sql("""
                select owner_id from contacts where contact_id = :u
                union
                select other.user_id from channel_members mine
                join channel_members other on other.channel_id = mine.channel_id
                where mine.user_id = :u and other.user_id <> :u""").param("u", userId).query(UUID.class).list();
    }
}
