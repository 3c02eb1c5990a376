package io.chute.job;

import java.util.Set;
import java.util.UUID;

/**
 * Who may read a file besides its owner: the members of the channels it was sent to. Uploads,
 * jobs and zips ask; chat answers (a port, so that those features need not depend on chat).
 * Implementations answer from the database and never throw for unknown ids.
 *
 * <p>It lives with jobs because jobs is the feature uploads and zips already build on: the job
 * API asks it too, and jobs may not depend on uploads (which submit jobs).
 */
public interface FileSharing {

    /** True when {@code userId} is a member of a channel in which {@code uploadId} was sent. */
    boolean sharedWith(UUID userId, UUID uploadId);

    /** True when {@code userId} is a member of {@code channelId}. */
    boolean isMember(UUID userId, UUID channelId);

    /** Of {@code uploadIds}, those that were sent in {@code channelId}. */
    Set<UUID> sentIn(UUID channelId, Set<UUID> uploadIds);
}
