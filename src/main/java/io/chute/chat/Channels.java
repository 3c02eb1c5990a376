package io.chute.chat;

import io.chute.auth.User;
import io.chute.auth.Users;
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

/** Channels and their members ({@code channels}, {@code channel_members}). */
@Repository
class Channels {

    private final JdbcClient jdbc;

    Channels(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    record Channel(UUID id, String type, String name, Instant createdAt, long lastSeq) {
        boolean direct() {
            return "direct".equals(type);
        }
    }

    /** A member with their role and presence (online now, or when they were last seen). */
    record Member(UUID channelId, ChannelRole role, User user, boolean online, Instant lastSeenAt) {}

    /** A channel as its member sees it in the channel list. */
    record Listed(
            Channel channel,
            ChannelRole role,
            long unreadCount,
            long mentionCount,
            String notifications,
            Messages.Message lastMessage) {}

    Channel createGroup(String name, UUID ownerId, Collection<UUID> memberIds) {
        UUID id = UUID.randomUUID();
        jdbc.sql("insert into channels (id, type, name) values (?, 'group', ?)")
                .params(id, name)
                .update();
        addMember(id, ownerId, ChannelRole.OWNER);
        for (UUID member : memberIds) {
            if (!member.equals(ownerId)) {
                addMember(id, member, ChannelRole.MEMBER);
            }
        }
        return find(id).orElseThrow();
    }

    /** The channel of a pair, and whether this call created it. Safe against a concurrent create of the same pair. */
    record Direct(Channel channel, boolean created) {}

    Direct createDirect(UUID a, UUID b) {
        String key = a.compareTo(b) < 0 ? a + ":" + b : b + ":" + a;
        UUID id = UUID.randomUUID();
        // why: a concurrent insert of the same pair waits on the unique index, then does nothing
        boolean created = jdbc.sql(
                                "insert into channels (id, type, direct_key) values (?, 'direct', ?) on conflict (direct_key) do nothing")
                        .params(id, key)
                        .update()
                == 1;
        if (created) {
            addMember(id, a, ChannelRole.MEMBER);
            addMember(id, b, ChannelRole.MEMBER);
            return new Direct(find(id).orElseThrow(), true);
        }
        return new Direct(
                jdbc.sql("select * from channels where direct_key = ?")
                        .param(key)
                        .query(Channels::channel)
                        .single(),
                false);
    }

    Optional<Channel> find(UUID id) {
        return jdbc.sql("select * from channels where id = ?")
                .param(id)
                .query(Channels::channel)
                .optional();
    }

    /** The member's role in the channel, empty when they are not a member (or the channel does not exist). */
    Optional<ChannelRole> roleOf(UUID channelId, UUID userId) {
        return jdbc.sql("select role from channel_members where channel_id = ? and user_id = ?")
                .params(channelId, userId)
                .query(String.class)
                .optional()
                .map(ChannelRole::of);
    }

    boolean isMember(UUID channelId, UUID userId) {
        return roleOf(channelId, userId).isPresent();
    }

    /** Adds a member; false when they already were one. */
    boolean addMember(UUID channelId, UUID userId, ChannelRole role) {
        // why: a new member starts with everything before their arrival counted as read and delivered
        return jdbc.sql("""
                insert into channel_members (channel_id, user_id, role, last_read_seq, last_delivered_seq)
                select ?, ?, ?, last_seq, last_seq from channels where id = ?
                on conflict do nothing""").params(channelId, userId, role.value(), channelId).update() == 1;
    }

    boolean removeMember(UUID channelId, UUID userId) {
        return jdbc.sql("delete from channel_members where channel_id = ? and user_id = ?")
                        .params(channelId, userId)
                        .update()
                == 1;
    }

    List<UUID> memberIds(UUID channelId) {
        return jdbc.sql("select user_id from channel_members where channel_id = ?")
                .param(channelId)
                .query(UUID.class)
                .list();
    }

    Set<UUID> channelIdsOf(UUID userId) {
        return new HashSet<>(jdbc.sql("select channel_id from channel_members where user_id = ?")
                .param(userId)
                .query(UUID.class)
                .list());
    }

    /** The members of several channels at once, by channel, in the order they joined. */
    Map<UUID, List<Member>> members(Collection<UUID> channelIds) {
        Map<UUID, List<Member>> byChannel = new LinkedHashMap<>();
        channelIds.forEach(id -> byChannel.put(id, new ArrayList<>()));
        jdbc.sql("""
                select m.channel_id, m.role, u.*, coalesce(p.online, false) as online, p.last_seen_at
                from channel_members m join users u on u.id = m.user_id
                left join presence p on p.user_id = m.user_id
                where m.channel_id = any(?) order by m.joined_at, u.username""")
                .param(channelIds.toArray(UUID[]::new))
                .query((rs, n) -> {
                    Timestamp seen = rs.getTimestamp("last_seen_at");
                    return new Member(
                            rs.getObject("channel_id", UUID.class),
                            ChannelRole.of(rs.getString("role")),
                            Users.user(rs, n),
                            rs.getBoolean("online"),
                            seen == null ? null : seen.toInstant());
                })
                .list()
                .forEach(m -> byChannel.get(m.channelId()).add(m));
        return byChannel;
    }

    /**
     * The user's channels with their unread count and last message, most recently active first, in
     * one statement: the count is the channel's counter minus the member's read pointer, and the
     * last message is one probe of the {@code (channel_id, seq)} index per channel.
     */
    List<Listed> listFor(UUID userId) {
        return jdbc.sql("""
                select c.*, m.role, m.notifications, greatest(c.last_seq - m.last_read_seq, 0) as unread,
                       (select count(*) from messages mm where mm.channel_id = c.id and mm.seq > m.last_read_seq
                          and m.user_id = any(mm.mentions)) as mention_count,
                       lm.id as m_id, lm.channel_id as m_channel_id, lm.seq as m_seq, lm.sender_id as m_sender_id,
                       lm.client_message_id as m_client_message_id, lm.content as m_content, lm.created_at as m_created_at,
                       lm.edited_at as m_edited_at, lm.deleted_at as m_deleted_at, lm.reply_to as m_reply_to,
                       lm.mentions as m_mentions
                from channel_members m
                join channels c on c.id = m.channel_id
                left join lateral (select * from messages where channel_id = c.id order by seq desc limit 1) lm on true
                where m.user_id = ?
                order by coalesce(lm.created_at, c.created_at) desc, c.id""")
                .param(userId)
                .query((rs, n) -> new Listed(
                        channel(rs, n),
                        ChannelRole.of(rs.getString("role")),
                        rs.getLong("unread"),
                        rs.getLong("mention_count"),
                        rs.getString("notifications"),
                        rs.getObject("m_id") == null ? null : Messages.message(rs, "m_")))
                .list();
    }

    /** Sets how the member wants to be notified of the channel's messages: all, mentions or none. */
    void setNotifications(UUID channelId, UUID userId, String level) {
        jdbc.sql("update channel_members set notifications = ? where channel_id = ? and user_id = ?")
                .params(level, channelId, userId)
                .update();
    }

    /** Takes {@code count} seqs at once (locking the channel's row); returns the last, so they are last - count + 1 .. last. */
    long nextSeqs(UUID channelId, int count) {
        return jdbc.sql("update channels set last_seq = last_seq + ? where id = ? returning last_seq")
                .params(count, channelId)
                .query(Long.class)
                .single();
    }

    /** Gives back the seq just taken (under the same lock), so that it is not a gap. */
    void giveBackSeq(UUID channelId) {
        jdbc.sql("update channels set last_seq = last_seq - 1 where id = ?")
                .param(channelId)
                .update();
    }

    private static Channel channel(ResultSet rs, int n) throws SQLException {
        Timestamp created = rs.getTimestamp("created_at");
        return new Channel(
                rs.getObject("id", UUID.class),
                rs.getString("type"),
                rs.getString("name"),
                created.toInstant(),
                rs.getLong("last_seq"));
    }
}
