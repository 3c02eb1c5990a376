package io.chute.chat;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Messages, their attachments and the members' receipt pointers. */
@Repository
class Messages {

    private final JdbcClient jdbc;

    Messages(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * A message as stored; {@code seq} numbers it within its channel, without gaps. A deleted one is
     * a tombstone: empty content, no attachments, {@code deletedAt} set. {@code mentions} are the
     * members its {@code @username}s named when it was stored or last edited.
     */
    record Message(
            UUID id,
            UUID channelId,
            long seq,
            UUID senderId,
            String clientMessageId,
            String content,
            Instant createdAt,
            Instant editedAt,
            Instant deletedAt,
            UUID replyTo,
            List<UUID> mentions) {

        /** A message about to be stored. */
        static Message fresh(
                UUID id,
                UUID channelId,
                long seq,
                UUID senderId,
                String clientMessageId,
                String content,
                Instant createdAt,
                UUID replyTo,
                List<UUID> mentions) {
            return new Message(
                    id, channelId, seq, senderId, clientMessageId, content, createdAt, null, null, replyTo, mentions);
        }

        boolean deleted() {
            return deletedAt != null;
        }
    }

    /** Who reacted to a message with one emoji: how many, the first ten, and whether the viewer did. */
    record Reaction(UUID messageId, String emoji, long count, List<UUID> userIds, boolean me) {}

    /** An upload whose bytes go with a deleted message: its object and its jobs' outputs. */
    record Purged(UUID uploadId, String objectKey, List<String> outputKeys) {}

    /** An attached upload, with the job that processes it. */
    record Attachment(UUID messageId, UUID uploadId, String fileName, long size, String detectedType, UUID jobId) {}

    /**
     * What the chat worker checks of a batch of sends: the (channel, sender) pairs that are
     * memberships now, as "channel/sender" strings, and the (sender, clientMessageId) pairs stored
     * already, as "sender/clientMessageId" strings.
     */
    record SendChecks(Set<String> memberships, Set<String> stored) {}

    /** The {@link SendChecks} of a batch (the i-th send of each list together), with one query. */
    SendChecks checksOf(List<UUID> channelIds, List<UUID> senderIds, List<String> clientMessageIds) {
        Set<String> memberships = new HashSet<>();
        Set<String> stored = new HashSet<>();
        jdbc.sql("""
                with p as (select * from unnest(cast(:c as uuid[]), cast(:s as uuid[]), cast(:m as text[]))
                                  as p(channel_id, sender_id, client_message_id))
                select true, m.channel_id::text || '/' || m.user_id::text from channel_members m
                join (select distinct channel_id, sender_id from p) q
                  on m.channel_id = q.channel_id and m.user_id = q.sender_id
                union all
                select false, m.sender_id::text || '/' || m.client_message_id from messages m
                join p on m.sender_id = p.sender_id and m.client_message_id = p.client_message_id""")
                .param("c", channelIds.toArray(UUID[]::new))
                .param("s", senderIds.toArray(UUID[]::new))
                .param("m", clientMessageIds.toArray(String[]::new))
                .query((rs, n) -> (rs.getBoolean(1) ? memberships : stored).add(rs.getString(2)))
                .list();
        return new SendChecks(memberships, stored);
    }

    /** Inserts many messages with one statement; returns how many were new. */
    int insertAll(List<Message> batch) {
        return jdbc.sql("""
                insert into messages (id, channel_id, seq, sender_id, client_message_id, content, created_at, reply_to, mentions)
                select id, channel_id, seq, sender_id, client_message_id, content, created_at, reply_to,
                       coalesce(string_to_array(nullif(mentions, ''), ',')::uuid[], '{}')
                from unnest(cast(? as uuid[]), cast(? as uuid[]), cast(? as bigint[]), cast(? as uuid[]),
                            cast(? as text[]), cast(? as text[]), cast(? as timestamptz[]), cast(? as uuid[]), cast(? as text[]))
                     as b(id, channel_id, seq, sender_id, client_message_id, content, created_at, reply_to, mentions)
                on conflict (sender_id, client_message_id) do nothing""")
                .params(
                        batch.stream().map(Message::id).toArray(UUID[]::new),
                        batch.stream().map(Message::channelId).toArray(UUID[]::new),
                        batch.stream().map(Message::seq).toArray(Long[]::new),
                        batch.stream().map(Message::senderId).toArray(UUID[]::new),
                        batch.stream().map(Message::clientMessageId).toArray(String[]::new),
                        batch.stream().map(Message::content).toArray(String[]::new),
                        batch.stream().map(m -> Timestamp.from(m.createdAt())).toArray(Timestamp[]::new),
                        batch.stream().map(Message::replyTo).toArray(UUID[]::new),
                        batch.stream()
                                .map(m -> String.join(
                                        ",",
                                        m.mentions().stream()
                                                .map(UUID::toString)
                                                .toList()))
                                .toArray(String[]::new))
                .update();
    }

    Optional<Message> find(UUID id) {
        return jdbc.sql("select * from messages where id = ?")
                .param(id)
                .query(Messages::message)
                .optional();
    }

    List<Message> findAll(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("select * from messages where id = any(?)")
                .param(ids.toArray(UUID[]::new))
                .query(Messages::message)
                .list();
    }

    /** New content for a live message; empty if it is deleted. */
    Optional<Message> edit(UUID id, String content, List<UUID> mentions) {
        return jdbc.sql("""
                update messages set content = ?, mentions = ?, edited_at = now()
                where id = ? and deleted_at is null returning *""")
                .params(content, mentions.toArray(UUID[]::new), id)
                .query(Messages::message)
                .optional();
    }

    /** Turns a live message into a tombstone, without its reactions; empty if it was deleted already. */
    Optional<Message> tombstone(UUID id) {
        Optional<Message> deleted =
                jdbc.sql("""
                update messages set content = '', mentions = '{}', deleted_at = now()
                where id = ? and deleted_at is null returning *""").param(id).query(Messages::message).optional();
        deleted.ifPresent(m -> jdbc.sql("delete from message_reactions where message_id = ?")
                .param(id)
                .update());
        return deleted;
    }

    /**
     * Takes a deleted message's attachments away and marks the uploads no other message carries as
     * purged; answers what to delete from storage (the originals and every job output).
     */
    List<Purged> detachAndPurge(UUID messageId) {
        List<UUID> detached = jdbc.sql("delete from message_attachments where message_id = ? returning upload_id")
                .param(messageId)
                .query(UUID.class)
                .list();
        if (detached.isEmpty()) {
            return List.of();
        }
        List<Map.Entry<UUID, String>> purged = jdbc.sql("""
                update uploads u set state = 'PURGED'
                where u.id = any(?) and u.state <> 'PURGED'
                  and not exists (select 1 from message_attachments a where a.upload_id = u.id)
                returning u.id, u.object_key""")
                .param(detached.toArray(UUID[]::new))
                .query((rs, n) -> Map.entry(rs.getObject(1, UUID.class), rs.getString(2)))
                .list();
        List<Purged> out = new ArrayList<>();
        for (Map.Entry<UUID, String> p : purged) {
            List<String> outputs = jdbc.sql(
                            "select o.value ->> 'key' from jobs j, jsonb_each(j.outputs) o where j.upload_id = ?")
                    .param(p.getKey())
                    .query(String.class)
                    .list();
            jdbc.sql("delete from upload_texts where upload_id = ?")
                    .param(p.getKey())
                    .update();
            out.add(new Purged(p.getKey(), p.getValue(), outputs));
        }
        return out;
    }

    /** True if the reaction is new (false if the user had reacted so already). */
    boolean addReaction(UUID messageId, String emoji, UUID userId) {
        return jdbc.sql(
                                "insert into message_reactions (message_id, emoji, user_id) values (?, ?, ?) on conflict do nothing")
                        .params(messageId, emoji, userId)
                        .update()
                == 1;
    }

    /** True if there was such a reaction. */
    boolean removeReaction(UUID messageId, String emoji, UUID userId) {
        return jdbc.sql("delete from message_reactions where message_id = ? and emoji = ? and user_id = ?")
                        .params(messageId, emoji, userId)
                        .update()
                == 1;
    }

    /** The reactions of several messages, by message, each emoji in the order it was first used. */
    Map<UUID, List<Reaction>> reactionsOf(Collection<UUID> messageIds, UUID viewerId) {
        Map<UUID, List<Reaction>> byMessage = new LinkedHashMap<>();
        if (messageIds.isEmpty()) {
            return byMessage;
        }
        jdbc.sql("""
                select message_id, emoji, count(*), (array_agg(user_id order by created_at, user_id))[1:10],
                       coalesce(bool_or(user_id = ?), false)
                from message_reactions where message_id = any(?)
                group by message_id, emoji order by message_id, min(created_at), emoji""")
                .params(viewerId, messageIds.toArray(UUID[]::new))
                .query((rs, n) -> new Reaction(
                        rs.getObject(1, UUID.class),
                        rs.getString(2),
                        rs.getLong(3),
                        List.of((UUID[]) rs.getArray(4).getArray()),
                        rs.getBoolean(5)))
                .list()
                .forEach(r -> byMessage
                        .computeIfAbsent(r.messageId(), k -> new ArrayList<>())
                        .add(r));
        return byMessage;
    }

    /** Members of the channels whose lowered username is among {@code usernames}, as "channel/username" → user id. */
    Map<String, UUID> membersNamed(Collection<UUID> channelIds, Collection<String> usernames) {
        Map<String, UUID> found = new java.util.HashMap<>();
        if (channelIds.isEmpty() || usernames.isEmpty()) {
            return found;
        }
        jdbc.sql("""
                select m.channel_id::text || '/' || lower(u.username), u.id
                from channel_members m join users u on u.id = m.user_id
                where m.channel_id = any(?) and lower(u.username) = any(?)""")
                .params(channelIds.toArray(UUID[]::new), usernames.toArray(String[]::new))
                .query((rs, n) -> Map.entry(rs.getString(1), rs.getObject(2, UUID.class)))
                .list()
                .forEach(e -> found.put(e.getKey(), e.getValue()));
        return found;
    }

    /** Up to {@code limit} messages of the channel with a seq below {@code beforeSeq}, newest first. */
    List<Message> before(UUID channelId, long beforeSeq, int limit) {
        return jdbc.sql("""
                select * from messages where channel_id = ? and seq < ?
                order by seq desc limit ?""")
                .params(channelId, beforeSeq, limit)
                .query(Messages::message)
                .list();
    }

    /** Up to {@code limit} messages of the channel that carry files, with a seq below {@code beforeSeq}, newest first. */
    List<Message> withFilesBefore(UUID channelId, long beforeSeq, int limit) {
        return jdbc.sql("""
                select m.* from messages m where m.channel_id = ? and m.seq < ?
                and exists (select 1 from message_attachments a where a.message_id = m.id)
                order by m.seq desc limit ?""")
                .params(channelId, beforeSeq, limit)
                .query(Messages::message)
                .list();
    }

    /**
     * Attaches the uploads, in order, keeping only those the sender owns and completed (the caller
     * checked them; this holds even if one was deleted since). Answers how many were attached.
     */
    int attach(UUID messageId, UUID channelId, UUID senderId, List<UUID> uploadIds) {
        if (uploadIds.isEmpty()) {
            return 0;
        }
        return jdbc.sql("""
                insert into message_attachments (message_id, position, upload_id, channel_id)
                select ?, a.position, u.id, ?
                from unnest(?::uuid[]) with ordinality as a(upload_id, position)
                join uploads u on u.id = a.upload_id
                where u.owner_id = ? and u.state = 'COMPLETE'""")
                .params(messageId, channelId, uploadIds.toArray(UUID[]::new), senderId)
                .update();
    }

    /** The attachments of several messages, by message, in their order. */
    Map<UUID, List<Attachment>> attachmentsOf(Collection<UUID> messageIds) {
        Map<UUID, List<Attachment>> byMessage = new LinkedHashMap<>();
        if (messageIds.isEmpty()) {
            return byMessage;
        }
        jdbc.sql("""
                select a.message_id, u.id, u.file_name, u.size, u.detected_type, u.job_id
                from message_attachments a join uploads u on u.id = a.upload_id
                where a.message_id = any(?) order by a.message_id, a.position""")
                .param(messageIds.toArray(UUID[]::new))
                .query((rs, n) -> new Attachment(
                        rs.getObject(1, UUID.class),
                        rs.getObject(2, UUID.class),
                        rs.getString(3),
                        rs.getLong(4),
                        rs.getString(5),
                        rs.getObject(6, UUID.class)))
                .list()
                .forEach(a -> byMessage
                        .computeIfAbsent(a.messageId(), k -> new ArrayList<>())
                        .add(a));
        return byMessage;
    }

    /** Uploads of {@code uploadIds} that {@code ownerId} owns and has completed. */
    Set<UUID> completeUploadsOf(UUID ownerId, Collection<UUID> uploadIds) {
        return new HashSet<>(
                jdbc.sql("select id from uploads where id = any(?) and owner_id = ? and state = 'COMPLETE'")
                        .params(uploadIds.toArray(UUID[]::new), ownerId)
                        .query(UUID.class)
                        .list());
    }

    boolean sharedWith(UUID userId, UUID uploadId) {
        return jdbc.sql("""
                select exists (select 1 from message_attachments a
                               join channel_members m on m.channel_id = a.channel_id
                               where a.upload_id = ? and m.user_id = ?)""").params(uploadId, userId).query(Boolean.class).single();
    }

    Set<UUID> sentIn(UUID channelId, Collection<UUID> uploadIds) {
        return new HashSet<>(jdbc.sql(
                        "select distinct upload_id from message_attachments where channel_id = ? and upload_id = any(?)")
                .params(channelId, uploadIds.toArray(UUID[]::new))
                .query(UUID.class)
                .list());
    }

    /** The channels each of {@code uploadIds} was sent to; uploads sent nowhere are left out. */
    Map<UUID, Set<UUID>> channelsOf(Collection<UUID> uploadIds) {
        Map<UUID, Set<UUID>> byUpload = new LinkedHashMap<>();
        if (uploadIds.isEmpty()) {
            return byUpload;
        }
        jdbc.sql("select distinct upload_id, channel_id from message_attachments where upload_id = any(?)")
                .param(uploadIds.toArray(UUID[]::new))
                .query((rs, n) -> Map.entry(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)))
                .list()
                .forEach(e -> byUpload.computeIfAbsent(e.getKey(), k -> new HashSet<>())
                        .add(e.getValue()));
        return byUpload;
    }

    static Message message(ResultSet rs, int n) throws SQLException {
        return message(rs, "");
    }

    /** A message from columns named {@code prefix} + the column's name. */
    static Message message(ResultSet rs, String prefix) throws SQLException {
        java.sql.Array mentions = rs.getArray(prefix + "mentions");
        return new Message(
                rs.getObject(prefix + "id", UUID.class),
                rs.getObject(prefix + "channel_id", UUID.class),
                rs.getLong(prefix + "seq"),
                rs.getObject(prefix + "sender_id", UUID.class),
                rs.getString(prefix + "client_message_id"),
                rs.getString(prefix + "content"),
                rs.getTimestamp(prefix + "created_at").toInstant(),
                instant(rs.getTimestamp(prefix + "edited_at")),
                instant(rs.getTimestamp(prefix + "deleted_at")),
                rs.getObject(prefix + "reply_to", UUID.class),
                mentions == null ? List.of() : List.of((UUID[]) mentions.getArray()));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
