package io.chute.chat;

import io.chute.job.FileSharing;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** Files sent in a channel are readable by its members: its uploads, their jobs and downloads, and its room zips. */
@Component
class ChannelFileSharing implements FileSharing {

    private final Messages messages;
    private final Channels channels;

    ChannelFileSharing(Messages messages, Channels channels) {
        this.messages = messages;
        this.channels = channels;
    }

    @Override
    public boolean sharedWith(UUID userId, UUID uploadId) {
        return messages.sharedWith(userId, uploadId);
    }

    @Override
    public boolean isMember(UUID userId, UUID channelId) {
        return channels.isMember(channelId, userId);
    }

    @Override
    public Set<UUID> sentIn(UUID channelId, Set<UUID> uploadIds) {
        return uploadIds.isEmpty() ? Set.of() : messages.sentIn(channelId, uploadIds);
    }
}
