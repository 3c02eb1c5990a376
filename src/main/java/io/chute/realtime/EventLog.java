package io.chute.realtime;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The replay log: durable events with their global, increasing {@code seq}, kept for the replay
 * window. Appends join the caller's transaction, so an event exists exactly when the change it
 * reports was committed.
 */
@Repository
class EventLog {

    private final JdbcClient jdbc;

    EventLog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    record Entry(long seq, Route route, String type, String data) {}

    record NewEntry(Route route, String type, String data, UUID except) {
        NewEntry(Route route, String type, String data) {
            this(route, type, data, null);
        }
    }

    long append(Route route, String type, String data) {
        return jdbc.sql("insert into events (route, type, payload) values (?, ?, cast(? as jsonb)) returning seq")
                .params(route.key(), type, data)
                .query(Long.class)
                .single();
    }

    /** Appends many in one statement; the seqs come back in the order of {@code entries}. */
    List<Long> appendAll(List<NewEntry> entries) {
        if (entries.isEmpty()) {
            return List.of();
        }
        return jdbc
                .sql("""
                insert into events (route, type, payload, except_user)
                select r, t, cast(p as jsonb), x
                from unnest(cast(:routes as text[]), cast(:types as text[]), cast(:payloads as text[]),
                            cast(:excepts as uuid[]))
                     with ordinality as e(r, t, p, x, n)
                order by n
                returning seq""")
                .param("routes", entries.stream().map(e -> e.route().key()).toArray(String[]::new))
                .param("types", entries.stream().map(NewEntry::type).toArray(String[]::new))
                .param("payloads", entries.stream().map(NewEntry::data).toArray(String[]::new))
                .param("excepts", entries.stream().map(NewEntry::except).toArray(UUID[]::new))
                .query(Long.class)
                .list()
                .stream()
                .sorted()
                .toList();
    }

    /** Events for {@code user} on any of {@code routes} after {@code since}, oldest first, at most {@code limit}. */
    List<Entry> since(long since, Collection<Route> routes, UUID user, int limit) {
        return jdbc.sql("""
                select seq, route, type, payload::text as payload from events
                where route = any(?) and seq > ? and (except_user is null or except_user <> ?)
                order by seq
                limit ?""")
                .params(routes.stream().map(Route::key).toArray(String[]::new), since, user, limit)
                .query((rs, n) -> new Entry(
                        rs.getLong("seq"),
                        new Route(rs.getString("route")),
                        rs.getString("type"),
                        rs.getString("payload")))
                .list();
    }

    /** The oldest seq still kept, or the next one to be given when the log is empty. */
    long oldestKept() {
        return jdbc.sql("select coalesce(min(seq), (select last_value from events_seq_seq)) from events")
                .query(Long.class)
                .single();
    }

    /** The newest seq given so far (0 when none). */
    long latest() {
        return jdbc.sql("select case when is_called then last_value else 0 end from events_seq_seq")
                .query(Long.class)
                .single();
    }

    int prune(Duration window) {
        return jdbc.sql("delete from events where created_at < now() - make_interval(secs => ?)")
                .param(window.toSeconds())
                .update();
    }
}
