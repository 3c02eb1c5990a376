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

    /** A message as stored; {@code seq} numbers it within its channel, without gaps. */
    record Message(UUID id, UUID channelId, long seq, UUID senderId, String clientMessageId, String content, Instant createdAt) {}

    /** An attached upload, with the job that processes it. */
    record Attachment(UUID messageId, UUID uploadId, String fileName, long size, String detectedType, UUID jobId) {}

    /** Which of these (sender, clientMessageId) pairs are stored already, as "sender/clientMessageId" strings. */
    Set<String> storedAmong(List<UUID> senderIds, List<String> clientMessageIds) {
        return new java.util.HashSet<>(jdbc.sql("""
                select m.sender_id::text || '/' || m.client_message_id from messages m
                join unnest(cast(? as uuid[]), cast(? as text[])) as p(sender_id, client_message_id)
                  on m.sender_id = p.sender_id and m.client_message_id = p.client_message_id""")
                .params(senderIds.toArray(UUID[]::new), clientMessageIds.toArray(String[]::new))
                .query(String.class).list());
    }

    /** Inserts many messages with one statement; returns how many were new. */
    int insertAll(List<Message> batch) {
        return jdbc.sql("""
                insert into messages (id, channel_id, seq, sender_id, client_message_id, content, created_at)
                select * from unnest(cast(? as uuid[]), cast(? as uuid[]), cast(? as bigint[]), cast(? as uuid[]),
                                     cast(? as text[]), cast(? as text[]), cast(? as timestamptz[]))
                on conflict (sender_id, client_message_id) do nothing""")
                .params(batch.stream().map(Message::id).toArray(UUID[]::new),
                        batch.stream().map(Message::channelId).toArray(UUID[]::new),
                        batch.stream().map(Message::seq).toArray(Long[]::new),
                        batch.stream().map(Message::senderId).toArray(UUID[]::new),
                        batch.stream().map(Message::clientMessageId).toArray(String[]::new),
                        batch.stream().map(Message::content).toArray(String[]::new),
                        batch.stream().map(m -> Timestamp.from(m.createdAt())).toArray(Timestamp[]::new))
                .update();
    }

    Optional<Message> find(UUID id) {
        return jdbc.sql("select * from messages where id = ?").param(id).query(Messages::message).optional();
    }

    /** Up to {@code limit} messages of the channel with a seq below {@code beforeSeq}, newest first. */
    List<Message> before(UUID channelId, long beforeSeq, int limit) {
        return jdbc.sql("""
                select * from messages where channel_id = ? and seq < ?
                order by seq desc limit ?""")
                .params(channelId, beforeSeq, limit).query(Messages::message).list();
    }

    /** Up to {@code limit} messages of the channel that carry files, with a seq below {@code beforeSeq}, newest first. */
    List<Message> withFilesBefore(UUID channelId, long beforeSeq, int limit) {
        return jdbc.sql("""
                select m.* from messages m where m.channel_id = ? and m.seq < ?
                and exists (select 1 from message_attachments a where a.message_id = m.id)
                order by m.seq desc limit ?""")
                .params(channelId, beforeSeq, limit).query(Messages::message).list();
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
                .query((rs, n) -> new Attachment(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                        rs.getLong(4), rs.getString(5), rs.getObject(6, UUID.class)))
                .list()
                .forEach(a -> byMessage.computeIfAbsent(a.messageId(), k -> new ArrayList<>()).add(a));
        return byMessage;
    }

    /** Uploads of {@code uploadIds} that {@code ownerId} owns and has completed. */
    Set<UUID> completeUploadsOf(UUID ownerId, Collection<UUID> uploadIds) {
        return new HashSet<>(jdbc.sql("select id from uploads where id = any(?) and owner_id = ? and state = 'COMPLETE'")
                .params(uploadIds.toArray(UUID[]::new), ownerId).query(UUID.class).list());
    }

    boolean sharedWith(UUID userId, UUID uploadId) {
        return jdbc.sql("""
                select exists (select 1 from message_attachments a
                               join channel_members m on m.channel_id = a.channel_id
                               where a.upload_id = ? and m.user_id = ?)""")
                .params(uploadId, userId).query(Boolean.class).single();
    }

    Set<UUID> sentIn(UUID channelId, Collection<UUID> uploadIds) {
        return new HashSet<>(jdbc.sql("select distinct upload_id from message_attachments where channel_id = ? and upload_id = any(?)")
                .params(channelId, uploadIds.toArray(UUID[]::new)).query(UUID.class).list());
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
                .forEach(e -> byUpload.computeIfAbsent(e.getKey(), k -> new HashSet<>()).add(e.getValue()));
        return byUpload;
    }

    static Message message(ResultSet rs, int n) throws SQLException {
        return new Message(rs.getObject("id", UUID.class), rs.getObject("channel_id", UUID.class), rs.getLong("seq"),
                rs.getObject("sender_id", UUID.class), rs.getString("client_message_id"), rs.getString("content"),
                rs.getTimestamp("created_at").toInstant());
    }
}
