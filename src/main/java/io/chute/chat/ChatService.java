package io.chute.chat;

import io.chute.auth.User;
import io.chute.auth.Users;
import io.chute.common.ApiException;
import io.chute.common.InvalidInputException;
import io.chute.config.ChuteProperties;
import io.chute.job.JobTracing;
import io.chute.ratelimit.RateLimits;
import io.chute.realtime.Events;
import io.chute.realtime.Route;
import io.chute.storage.ObjectStore;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Channels, membership and messages, for REST and WebSocket alike. A channel a caller is not a
 * member of is "not found", whether it exists or not.
 */
@Service
class ChatService {

    static final int MAX_GROUP_MEMBERS = 1000;
    static final int MAX_PAGE = 100;

    private final Channels channels;
    private final Messages messages;
    private final ReceiptPointers pointers;
    private final MessageViews views;
    private final Users users;
    private final Events events;
    private final TransactionTemplate tx;
    private final ChuteProperties.Chat config;
    private final JobTracing tracing;
    private final RateLimits limits;
    private final Mentions mentions;
    private final ObjectStore store;

    ChatService(
            Channels channels,
            Messages messages,
            ReceiptPointers pointers,
            MessageViews views,
            Users users,
            Events events,
            TransactionTemplate tx,
            ChuteProperties properties,
            JobTracing tracing,
            RateLimits limits,
            Mentions mentions,
            ObjectStore store) {
        this.tracing = tracing;
        this.limits = limits;
        this.mentions = mentions;
        this.store = store;
        this.channels = channels;
        this.messages = messages;
        this.pointers = pointers;
        this.views = views;
        this.users = users;
        this.events = events;
        this.tx = tx;
        this.config = properties.chat();
    }

    // ---- channels

    ChannelView createGroup(UUID ownerId, String name, List<UUID> memberIds) {
        Set<UUID> members = new LinkedHashSet<>(memberIds);
        members.remove(ownerId);
        InvalidInputException.require(
                members.size() < MAX_GROUP_MEMBERS, "a group has at most " + MAX_GROUP_MEMBERS + " members");
        requireUsersExist(members);
        return tx.execute(s -> {
            Channels.Channel channel = channels.createGroup(name, ownerId, members);
            joinedAndAnnounce(channel.id(), membersWith(ownerId, members));
            return view(channel);
        });
    }

    record Direct(ChannelView channel, boolean created) {}

    Direct openDirect(UUID callerId, UUID otherId) {
        InvalidInputException.require(!callerId.equals(otherId), "A direct channel is between two different users");
        requireUsersExist(Set.of(otherId));
        return tx.execute(s -> {
            Channels.Direct direct = channels.createDirect(callerId, otherId);
            if (direct.created()) {
                joinedAndAnnounce(direct.channel().id(), Set.of(callerId, otherId));
            }
            return new Direct(view(direct.channel()), direct.created());
        });
    }

    ChannelView get(UUID callerId, UUID channelId) {
        return view(memberOf(callerId, channelId));
    }

    /** The caller's channels, most recently active first, with unread counts and last messages (three queries in all). */
    List<ChannelView> list(UUID callerId) {
        List<Channels.Listed> listed = channels.listFor(callerId);
        Map<UUID, List<Channels.Member>> members =
                channels.members(listed.stream().map(l -> l.channel().id()).toList());
        List<Messages.Message> lasts = listed.stream()
                .map(Channels.Listed::lastMessage)
                .filter(java.util.Objects::nonNull)
                .toList();
        Map<UUID, MessageView> lastViews =
                views.of(lasts, callerId).stream().collect(Collectors.toMap(MessageView::channelId, v -> v));
        return listed.stream()
                .map(l -> view(
                        l.channel(),
                        members.get(l.channel().id()),
                        l.unreadCount(),
                        l.mentionCount(),
                        l.notifications(),
                        lastViews.get(l.channel().id())))
                .toList();
    }

    /** Adds a member to a group: owners and admins only (403 for other members, 404 for non-members). */
    void addMember(UUID callerId, UUID channelId, UUID userId) {
        tx.executeWithoutResult(s -> {
            Channels.Channel channel = memberOf(callerId, channelId);
            requireManager(callerId, channel);
            requireUsersExist(Set.of(userId));
            if (!channels.addMember(channelId, userId, ChannelRole.MEMBER)) {
                throw ApiException.conflict("That user is already a member");
            }
            events.join(userId, channelId);
            announce(channel, channels.memberIds(channelId));
        });
    }

    /**
     * Removes a member from a group: owners and admins remove others, anyone removes themselves;
     * the owner cannot be removed. The removed member's sockets stop receiving the channel at once.
     */
    void removeMember(UUID callerId, UUID channelId, UUID userId) {
        tx.executeWithoutResult(s -> {
            Channels.Channel channel = memberOf(callerId, channelId);
            if (channel.direct()) {
                throw ApiException.conflict("A direct channel always has its two members");
            }
            if (!callerId.equals(userId)) {
                requireManager(callerId, channel);
            }
            ChannelRole role = channels.roleOf(channelId, userId).orElseThrow(() -> ApiException.notFound("Member"));
            if (role == ChannelRole.OWNER) {
                throw ApiException.conflict("The owner of a group cannot be removed");
            }
            List<UUID> before = channels.memberIds(channelId);
            channels.removeMember(channelId, userId);
            events.leave(userId, channelId);
            announce(channel, before);
        });
    }

    // ---- messages

    /**
     * Checks a message and hands it to the chat worker through the incoming lane; it is persisted
     * (once per clientMessageId) and announced as {@code message.created} asynchronously. The order
     * key is the channel: the lane of a channel stores its messages in the order submitted, while
     * other channels' lanes store theirs in parallel.
     */
    void send(UUID senderId, MessageDraft draft) {
        tracing.traced(MessageWorker.KIND, () -> {
            events.submit(MessageWorker.KIND, draft.channelId(), checked(senderId, draft));
            return null;
        });
    }

    /** As {@link #send}, without waiting for the incoming lane to hold it: the future says when it does. */
    java.util.concurrent.CompletableFuture<Void> sendAsync(UUID senderId, MessageDraft draft) {
        return tracing.traced(
                MessageWorker.KIND,
                () -> events.submitAsync(MessageWorker.KIND, draft.channelId(), checked(senderId, draft)));
    }

    /**
     * The checks a send answers at once (the chat worker checks membership again as it stores). A
     * sender whose socket here follows the channel is a member without a query (see {@link
     * Events#followedHere}); anyone else is looked up.
     */
    private MessageWorker.SendCommand checked(UUID senderId, MessageDraft draft) {
        limits.consume(RateLimits.Limit.MESSAGES_USER, senderId.toString());
        if (!events.followedHere(senderId, draft.channelId()) && !channels.isMember(draft.channelId(), senderId)) {
            throw ApiException.notFound("Channel");
        }
        if (!draft.attachments().isEmpty()) {
            Set<UUID> usable = messages.completeUploadsOf(senderId, draft.attachments());
            for (UUID upload : draft.attachments()) {
                if (!usable.contains(upload)) {
                    throw ApiException.notFound(
                            "Upload " + upload + " (attachments must be your own completed uploads)");
                }
            }
        }
        if (draft.replyTo() != null
                && messages.find(draft.replyTo())
                        .filter(m -> m.channelId().equals(draft.channelId()))
                        .isEmpty()) {
            throw ApiException.badRequest("replyTo must be a message of the same channel");
        }
        return new MessageWorker.SendCommand(
                senderId,
                draft.channelId(),
                draft.content(),
                draft.clientMessageId(),
                draft.attachments(),
                draft.replyTo());
    }

    record Page(List<MessageView> items, String nextCursor) {}

    Page history(UUID callerId, UUID channelId, HistoryCursor before, int limit) {
        Cut cut = cut(callerId, channelId, limit, () -> messages.before(channelId, before.beforeSeq(), limit + 1));
        return new Page(views.of(cut.rows(), callerId), cut.next());
    }

    /** A page of messages (fetched one over the limit, to know whether more follow) and the cursor of the next one. */
    private record Cut(List<Messages.Message> rows, String next) {}

    private Cut cut(
            UUID callerId,
            UUID channelId,
            int limit,
            java.util.function.Supplier<List<Messages.Message>> onePastLimit) {
        InvalidInputException.require(limit >= 1 && limit <= MAX_PAGE, "limit must be between 1 and " + MAX_PAGE);
        memberOf(callerId, channelId);
        List<Messages.Message> rows = onePastLimit.get();
        if (rows.size() <= limit) {
            return new Cut(rows, null);
        }
        rows = rows.subList(0, limit);
        return new Cut(rows, new HistoryCursor(rows.getLast().seq()).encode());
    }

    /** One file shared in a channel: its attachment and the message that carried it. */
    record SharedFile(UUID messageId, UUID senderId, Instant createdAt, MessageView.AttachmentView attachment) {}

    record FilesPage(List<SharedFile> items, String nextCursor) {}

    /**
     * Every file shared in the channel, newest first, a page being the files of up to {@code limit}
     * messages (so a page holds every file of the messages it covers), cut on seq like the history.
     */
    FilesPage files(UUID callerId, UUID channelId, HistoryCursor before, int limit) {
        Cut cut = cut(
                callerId, channelId, limit, () -> messages.withFilesBefore(channelId, before.beforeSeq(), limit + 1));
        List<SharedFile> items = views.of(cut.rows(), callerId).stream()
                .flatMap(m -> m.attachments().stream().map(a -> new SharedFile(m.id(), m.senderId(), m.createdAt(), a)))
                .toList();
        return new FilesPage(items, cut.next());
    }

    /** New content for one's own message (403 for another's, 409 once deleted); {@code message.updated} to the channel. */
    MessageView edit(UUID callerId, UUID messageId, String content) {
        String checked = MessageDraft.editedContent(content, config);
        Messages.Message message = visibleMessage(callerId, messageId);
        if (!message.senderId().equals(callerId)) {
            throw ApiException.forbidden("Only its sender can edit a message");
        }
        return tx.execute(s -> {
            List<UUID> mentioned = mentions.resolve(List.of(Map.entry(message.channelId(), checked)))
                    .in(message.channelId(), checked);
            Messages.Message edited = messages.edit(messageId, checked, mentioned)
                    .orElseThrow(() -> ApiException.conflict("A deleted message cannot be edited"));
            events.publish(Route.channel(edited.channelId()), "message.updated", new Updated(views.of(edited)));
            return views.of(List.of(edited), callerId).getFirst();
        });
    }

    /** {@code message.updated}: the message as every member sees it. */
    record Updated(MessageView message) {}

    /** {@code message.deleted}. */
    record Deleted(UUID channelId, UUID messageId, Instant deletedAt) {}

    /** {@code reaction}: one member added or took back one emoji. */
    record ReactionEvent(UUID channelId, UUID messageId, String emoji, UUID userId, boolean added) {}

    /**
     * Deletes a message for everyone (its sender, or a group's owner or admins): it stays in history
     * as a tombstone, and the uploads it carried, unless another message carries them too, lose their
     * bytes and every rendition in storage. Deleting a deleted message does nothing.
     */
    void delete(UUID callerId, UUID messageId) {
        Messages.Message message = visibleMessage(callerId, messageId);
        if (!message.senderId().equals(callerId)) {
            Channels.Channel channel =
                    channels.find(message.channelId()).orElseThrow(() -> ApiException.notFound("Message"));
            ChannelRole role = channels.roleOf(channel.id(), callerId).orElse(ChannelRole.MEMBER);
            if (channel.direct() || !role.managesMembers()) {
                throw ApiException.forbidden("Only its sender, or the group's owner and admins, can delete a message");
            }
        }
        List<Messages.Purged> purged = tx.execute(s -> messages.tombstone(messageId)
                .map(deleted -> {
                    events.publish(
                            Route.channel(deleted.channelId()),
                            "message.deleted",
                            new Deleted(deleted.channelId(), deleted.id(), deleted.deletedAt()));
                    return messages.detachAndPurge(messageId);
                })
                .orElse(List.of()));
        // after the commit: a rolled-back delete keeps its files
        purged.forEach(p -> {
            deleteObject(p.objectKey());
            p.outputKeys().forEach(this::deleteObject);
        });
    }

    private void deleteObject(String key) {
        try {
            store.delete(key);
        } catch (java.io.IOException | RuntimeException e) {
            // the upload is marked purged: its bytes are unreachable; storage lifecycle rules can sweep what is left
            org.slf4j.LoggerFactory.getLogger(ChatService.class)
                    .warn("Could not delete {} of a deleted message: {}", key, e.toString());
        }
    }

    /**
     * Adds or takes back the caller's reaction (idempotent); a change goes to the channel as a
     * {@code reaction} event, a repeat sends nothing.
     */
    void react(UUID callerId, UUID messageId, String emoji, boolean added) {
        String checked = Reactions.checkedEmoji(emoji);
        Messages.Message message = visibleMessage(callerId, messageId);
        if (message.deleted()) {
            throw ApiException.conflict("A deleted message takes no reactions");
        }
        tx.executeWithoutResult(s -> {
            boolean changed = added
                    ? messages.addReaction(messageId, checked, callerId)
                    : messages.removeReaction(messageId, checked, callerId);
            if (changed) {
                events.publish(
                        Route.channel(message.channelId()),
                        "reaction",
                        new ReactionEvent(message.channelId(), messageId, checked, callerId, added));
            }
        });
    }

    /** How the caller wants to be notified of a channel's messages. */
    void setNotifications(UUID callerId, UUID channelId, String level) {
        InvalidInputException.require(
                level != null && Set.of("all", "mentions", "none").contains(level),
                "level must be all, mentions or none");
        memberOf(callerId, channelId);
        channels.setNotifications(channelId, callerId, level);
    }

    /** The message, if the caller is a member of its channel; 404 otherwise. */
    Messages.Message visibleMessage(UUID callerId, UUID messageId) {
        return messages.find(messageId)
                .filter(m -> channels.isMember(m.channelId(), callerId))
                .orElseThrow(() -> ApiException.notFound("Message"));
    }

    List<ReceiptPointers.Receipt> receipts(UUID callerId, UUID messageId) {
        return pointers.of(visibleMessage(callerId, messageId));
    }

    /** {@code message.receipt} as its covered messages' senders receive it. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record ReceiptEvent(UUID channelId, UUID messageId, UUID userId, Instant deliveredAt, Instant readAt) {}

    /**
     * Marks everything in the channel up to and including the message as read by the caller, and
     * tells the senders of the messages this covers.
     */
    void read(UUID callerId, UUID channelId, UUID messageId) {
        memberOf(callerId, channelId);
        Messages.Message message = messages.find(messageId)
                .filter(m -> m.channelId().equals(channelId))
                .orElseThrow(() -> ApiException.notFound("Message"));
        tx.executeWithoutResult(s -> pointers.read(channelId, callerId, message.seq())
                .ifPresent(moved -> {
                    ReceiptEvent receipt = new ReceiptEvent(channelId, messageId, callerId, moved.at(), moved.at());
                    for (UUID sender : pointers.sendersCoveredBy(List.of(moved)).getFirst()) {
                        events.publish(Route.user(sender), "message.receipt", receipt);
                    }
                }));
    }

    // ---- helpers

    Channels.Channel memberOf(UUID userId, UUID channelId) {
        if (!channels.isMember(channelId, userId)) {
            throw ApiException.notFound("Channel");
        }
        return channels.find(channelId).orElseThrow(() -> ApiException.notFound("Channel"));
    }

    private void requireManager(UUID callerId, Channels.Channel channel) {
        if (channel.direct()) {
            throw ApiException.conflict("A direct channel always has exactly its two members");
        }
        ChannelRole role = channels.roleOf(channel.id(), callerId).orElseThrow(() -> ApiException.notFound("Channel"));
        if (!role.managesMembers()) {
            throw ApiException.forbidden("Only the group's owner and admins can change its members");
        }
    }

    private void requireUsersExist(Set<UUID> ids) {
        if (ids.isEmpty()) {
            return;
        }
        Set<UUID> found = users.findAll(ids).stream().map(User::id).collect(Collectors.toSet());
        for (UUID id : ids) {
            if (!found.contains(id)) {
                throw ApiException.notFound("User " + id);
            }
        }
    }

    private static Set<UUID> membersWith(UUID owner, Set<UUID> others) {
        Set<UUID> all = new HashSet<>(others);
        all.add(owner);
        return all;
    }

    private void joinedAndAnnounce(UUID channelId, Set<UUID> memberIds) {
        memberIds.forEach(m -> events.join(m, channelId));
        announce(channels.find(channelId).orElseThrow(), memberIds);
    }

    /**
     * {@code channel.updated} to each of {@code recipients} on their own route, so that it reaches
     * a member who was just removed, or just added, whatever the state of the channel bindings.
     */
    private void announce(Channels.Channel channel, java.util.Collection<UUID> recipients) {
        ChannelView view = view(channel);
        events.publish(recipients.stream()
                .map(r -> new Events.Publication(Route.user(r), "channel.updated", view))
                .toList());
    }

    private ChannelView view(Channels.Channel channel) {
        return view(channel, channels.members(List.of(channel.id())).get(channel.id()), null, null, null, null);
    }

    private static ChannelView view(
            Channels.Channel c,
            List<Channels.Member> members,
            Long unread,
            Long mentionCount,
            String notifications,
            MessageView last) {
        return new ChannelView(
                c.id(),
                c.type(),
                c.name(),
                members.stream()
                        .map(m -> new ChannelView.MemberView(
                                m.user().id(),
                                m.user().username(),
                                m.user().displayName(),
                                m.user().admin(),
                                m.role(),
                                m.online(),
                                m.lastSeenAt()))
                        .toList(),
                c.createdAt(),
                unread,
                mentionCount,
                notifications,
                last);
    }
}
