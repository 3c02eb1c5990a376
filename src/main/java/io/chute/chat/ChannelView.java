package io.chute.chat;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A channel as its members see it (API.md); {@code name} is null for a direct channel.
 * {@code unreadCount}, {@code mentionCount} (unread messages that mention the caller),
 * {@code notifications} (the caller's level: all, mentions, none) and {@code lastMessage} are only in the channel list.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ChannelView(
        UUID id,
        String type,
        String name,
        List<MemberView> members,
        Instant createdAt,
        Long unreadCount,
        Long mentionCount,
        String notifications,
        MessageView lastMessage) {

    /**
     * A member: the user record of API.md plus their role in the channel and their presence now, so
     * that a client has a starting state before any {@code presence} event.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record MemberView(
            UUID id,
            String username,
            String displayName,
            boolean admin,
            ChannelRole role,
            boolean online,
            Instant lastSeenAt) {}
}
