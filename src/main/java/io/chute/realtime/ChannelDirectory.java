package io.chute.realtime;

import java.util.Set;
import java.util.UUID;

/**
 * The channels whose events a user's sockets receive, asked when a user's first socket opens on a
 * node. Chat provides it; without chat a user follows no channel. Membership changes after that
 * arrive through {@link Events#join} and {@link Events#leave}.
 */
@FunctionalInterface
public interface ChannelDirectory {

    Set<UUID> channelsOf(UUID userId);
}
