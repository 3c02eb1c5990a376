package io.chute.chat;

import static io.chute.common.InvalidInputException.require;
import static io.chute.common.InvalidInputException.requireText;

import io.chute.auth.CurrentUser;
import io.chute.config.ChuteProperties;
import io.chute.config.ConditionalOnRole;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Channels, their members, messages and receipts over HTTP. Non-members get 404 for everything of a channel. */
@RestController
@ConditionalOnRole("api")
class ChannelController {

    private final ChatService chat;
    private final ChuteProperties.Chat limits;

    ChannelController(ChatService chat, ChuteProperties properties) {
        this.chat = chat;
        this.limits = properties.chat();
    }

    record NewGroup(String name, List<UUID> memberIds) {
        NewGroup {
            name = requireText(name, "name", 100);
            memberIds = memberIds == null ? List.of() : memberIds;
            require(memberIds.stream().allMatch(Objects::nonNull), "memberIds must not contain null");
        }
    }

    record UserRef(UUID userId) {
        UserRef {
            require(userId != null, "userId is required");
        }
    }

    record ChannelList(List<ChannelView> items) {}

    record SendBody(String content, String clientMessageId, List<UUID> attachments, UUID replyTo) {}

    record EditBody(String content) {}

    record NotificationsBody(String level) {}

    record Accepted(String clientMessageId) {}

    record ReadBody(UUID messageId) {
        ReadBody {
            require(messageId != null, "messageId is required");
        }
    }

    record Receipts(List<ReceiptPointers.Receipt> items) {}

    @PostMapping("/api/channels")
    ResponseEntity<ChannelView> create(@RequestBody NewGroup body, CurrentUser caller) {
        ChannelView channel = chat.createGroup(caller.id(), body.name(), body.memberIds());
        return ResponseEntity.created(URI.create("/api/channels/" + channel.id()))
                .body(channel);
    }

    /** The one direct channel of the pair: 201 when this call created it, 200 afterwards. */
    @PostMapping("/api/channels/direct")
    ResponseEntity<ChannelView> direct(@RequestBody UserRef body, CurrentUser caller) {
        ChatService.Direct direct = chat.openDirect(caller.id(), body.userId());
        return ResponseEntity.status(direct.created() ? HttpStatus.CREATED : HttpStatus.OK)
                .body(direct.channel());
    }

    @GetMapping("/api/channels")
    ChannelList list(CurrentUser caller) {
        return new ChannelList(chat.list(caller.id()));
    }

    @GetMapping("/api/channels/{id}")
    ChannelView get(@PathVariable UUID id, CurrentUser caller) {
        return chat.get(caller.id(), id);
    }

    @PostMapping("/api/channels/{id}/members")
    ResponseEntity<Void> addMember(@PathVariable UUID id, @RequestBody UserRef body, CurrentUser caller) {
        chat.addMember(caller.id(), id, body.userId());
        return ResponseEntity.noContent().build();
    }

    @DeleteMapping("/api/channels/{id}/members/{userId}")
    ResponseEntity<Void> removeMember(@PathVariable UUID id, @PathVariable UUID userId, CurrentUser caller) {
        chat.removeMember(caller.id(), id, userId);
        return ResponseEntity.noContent().build();
    }

    /** Accepted for persistence: the {@code message.created} event carries the message and its id. */
    @PostMapping("/api/channels/{id}/messages")
    ResponseEntity<Accepted> send(@PathVariable UUID id, @RequestBody SendBody body, CurrentUser caller) {
        MessageDraft draft =
                MessageDraft.of(id, body.content(), body.clientMessageId(), body.attachments(), body.replyTo(), limits);
        chat.send(caller.id(), draft);
        return ResponseEntity.accepted().body(new Accepted(draft.clientMessageId()));
    }

    /** Newest first; {@code before} is the {@code nextCursor} of the previous page. */
    @GetMapping("/api/channels/{id}/messages")
    ChatService.Page history(
            @PathVariable UUID id,
            @RequestParam(required = false) String before,
            @RequestParam(defaultValue = "50") int limit,
            CurrentUser caller) {
        return chat.history(caller.id(), id, HistoryCursor.parse(before), limit);
    }

    /** Every file shared in the channel, newest first; {@code before} is the {@code nextCursor} of the previous page. */
    @GetMapping("/api/channels/{id}/files")
    ChatService.FilesPage files(
            @PathVariable UUID id,
            @RequestParam(required = false) String before,
            @RequestParam(defaultValue = "50") int limit,
            CurrentUser caller) {
        return chat.files(caller.id(), id, HistoryCursor.parse(before), limit);
    }

    @PostMapping("/api/channels/{id}/read")
    ResponseEntity<Void> read(@PathVariable UUID id, @RequestBody ReadBody body, CurrentUser caller) {
        chat.read(caller.id(), id, body.messageId());
        return ResponseEntity.noContent().build();
    }

    @PatchMapping("/api/messages/{id}")
    MessageView edit(@PathVariable UUID id, @RequestBody EditBody body, CurrentUser caller) {
        return chat.edit(caller.id(), id, body.content());
    }

    @DeleteMapping("/api/messages/{id}")
    ResponseEntity<Void> delete(@PathVariable UUID id, CurrentUser caller) {
        chat.delete(caller.id(), id);
        return ResponseEntity.noContent().build();
    }

    @PutMapping("/api/messages/{id}/reactions/{emoji}")
    ResponseEntity<Void> react(@PathVariable UUID id, @PathVariable String emoji, CurrentUser caller) {
        chat.react(caller.id(), id, emoji, true);
        return ResponseEntity.noContent().build();
    }

    @DeleteMapping("/api/messages/{id}/reactions/{emoji}")
    ResponseEntity<Void> unreact(@PathVariable UUID id, @PathVariable String emoji, CurrentUser caller) {
        chat.react(caller.id(), id, emoji, false);
        return ResponseEntity.noContent().build();
    }

    @PutMapping("/api/channels/{id}/notifications")
    ResponseEntity<Void> notifications(@PathVariable UUID id, @RequestBody NotificationsBody body, CurrentUser caller) {
        chat.setNotifications(caller.id(), id, body.level());
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/api/messages/{id}/receipts")
    Receipts receipts(@PathVariable UUID id, CurrentUser caller) {
        return new Receipts(chat.receipts(caller.id(), id));
    }
}
