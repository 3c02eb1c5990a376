package io.chute.chat;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The members' receipt pointers: {@code channel_members.last_delivered_seq} and
 * {@code last_read_seq} say that everything in the channel up to that seq reached / was read by
 * the member. They only move forward.
 */
@Repository
class ReceiptPointers {

    private final JdbcClient jdbc;

    ReceiptPointers(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A pointer that moved from {@code fromSeq} (exclusive) to {@code toSeq} at {@code at}. */
    record Moved(UUID channelId, UUID userId, long fromSeq, long toSeq, Instant at) {}

    /** Moves the read pointer (and the delivered one with it) forward to {@code seq}; empty when it already was there. */
    Optional<Moved> read(UUID channelId, UUID userId, long seq) {
        return jdbc.sql("""
                with old as (select channel_id, user_id, last_read_seq from channel_members
                             where channel_id = :c and user_id = :u for update)
                update channel_members m
                set last_read_seq = :seq, last_read_at = now(),
                    last_delivered_at = case when m.last_delivered_seq < :seq then now() else m.last_delivered_at end,
                    last_delivered_seq = greatest(m.last_delivered_seq, :seq)
                from old
                where m.channel_id = old.channel_id and m.user_id = old.user_id and m.last_read_seq < :seq
                returning old.last_read_seq, m.last_read_at""")
                .param("c", channelId)
                .param("u", userId)
                .param("seq", seq)
                .query((rs, n) -> new Moved(
                        channelId,
                        userId,
                        rs.getLong(1),
                        seq,
                        rs.getTimestamp(2).toInstant()))
                .optional();
    }

    /**
     * Moves many read pointers (and the delivered ones with them) forward in one statement, locking the
     * rows in (channel, user) order, the order {@link #delivered} locks them in. Pointers already there
     * stay.
     */
    void readAll(List<UUID> channelIds, List<UUID> userIds, List<Long> seqs) {
        if (channelIds.isEmpty()) {
            return;
        }
        jdbc.sql("""
                with v as (select * from unnest(:c::uuid[], :u::uuid[], :s::bigint[]) as v(channel_id, user_id, seq)),
                     old as (select m.channel_id, m.user_id
                             from channel_members m join v on v.channel_id = m.channel_id and v.user_id = m.user_id
                             order by m.channel_id, m.user_id
                             for update of m)
                update channel_members m
                set last_read_seq = v.seq, last_read_at = now(),
                    last_delivered_at = case when m.last_delivered_seq < v.seq then now() else m.last_delivered_at end,
                    last_delivered_seq = greatest(m.last_delivered_seq, v.seq)
                from v join old on old.channel_id = v.channel_id and old.user_id = v.user_id
                where m.channel_id = v.channel_id and m.user_id = v.user_id and m.last_read_seq < v.seq""")
                .param("c", channelIds.toArray(UUID[]::new))
                .param("u", userIds.toArray(UUID[]::new))
                .param("s", seqs.toArray(Long[]::new))
                .update();
    }

    /** Moves many delivered pointers forward in one statement; answers those that moved. */
    List<Moved> delivered(List<UUID> channelIds, List<UUID> userIds, List<Long> seqs) {
        return jdbc.sql("""
                with v as (select * from unnest(:c::uuid[], :u::uuid[], :s::bigint[]) as v(channel_id, user_id, seq)),
                     old as (select m.channel_id, m.user_id, m.last_delivered_seq
                             from channel_members m join v on v.channel_id = m.channel_id and v.user_id = m.user_id
                             order by m.channel_id, m.user_id
                             for update of m)
                update channel_members m
                set last_delivered_seq = v.seq, last_delivered_at = now()
                from v join old on old.channel_id = v.channel_id and old.user_id = v.user_id
                where m.channel_id = v.channel_id and m.user_id = v.user_id and m.last_delivered_seq < v.seq
                returning m.channel_id, m.user_id, old.last_delivered_seq, v.seq, m.last_delivered_at""")
                .param("c", channelIds.toArray(UUID[]::new))
                .param("u", userIds.toArray(UUID[]::new))
                .param("s", seqs.toArray(Long[]::new))
                .query((rs, n) -> new Moved(
                        rs.getObject(1, UUID.class),
                        rs.getObject(2, UUID.class),
                        rs.getLong(3),
                        rs.getLong(4),
                        rs.getTimestamp(5).toInstant()))
                .list();
    }

    /** For each move, the senders (other than its member) of the messages it covers; one statement for all. */
    List<List<UUID>> sendersCoveredBy(List<Moved> moves) {
        List<List<UUID>> senders = new java.util.ArrayList<>();
        moves.forEach(m -> senders.add(new java.util.ArrayList<>()));
        if (moves.isEmpty()) {
            return senders;
        }
        jdbc.sql("""
                select distinct v.n, m.sender_id
                from unnest(:c::uuid[], :u::uuid[], :f::bigint[], :t::bigint[]) with ordinality as v(channel_id, user_id, f, t, n)
                join messages m on m.channel_id = v.channel_id and m.seq > v.f and m.seq <= v.t and m.sender_id <> v.user_id""")
                .param("c", moves.stream().map(Moved::channelId).toArray(UUID[]::new))
                .param("u", moves.stream().map(Moved::userId).toArray(UUID[]::new))
                .param("f", moves.stream().map(Moved::fromSeq).toArray(Long[]::new))
                .param("t", moves.stream().map(Moved::toSeq).toArray(Long[]::new))
                .query((rs, n) -> Map.entry(rs.getInt(1), rs.getObject(2, UUID.class)))
                .list()
                .forEach(e -> senders.get(e.getKey() - 1).add(e.getValue()));
        return senders;
    }

    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record Receipt(UUID userId, Instant deliveredAt, Instant readAt) {}

    /**
     * Where each member other than the sender stands on one message. A time is when the member's
     * pointer last moved, at or past the message: the latest moment it can have happened.
     */
    List<Receipt> of(Messages.Message message) {
        return jdbc.sql("""
                select user_id,
                       case when last_delivered_seq >= :seq then coalesce(last_delivered_at, last_read_at) end,
                       case when last_read_seq >= :seq then last_read_at end
                from channel_members
                where channel_id = :c and user_id <> :sender and joined_at <= :at
                order by joined_at, user_id""")
                .param("seq", message.seq())
                .param("c", message.channelId())
                .param("sender", message.senderId())
                .param("at", Timestamp.from(message.createdAt()))
                .query((rs, n) -> new Receipt(
                        rs.getObject(1, UUID.class), instant(rs.getTimestamp(2)), instant(rs.getTimestamp(3))))
                .list();
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
