package io.chute.chat;

import io.chute.job.Job;
import io.chute.job.JobService;
import io.chute.realtime.ChannelDirectory;
import io.chute.realtime.JobAudience;
import io.chute.realtime.Route;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * What chat tells the gateway: which channels a user's sockets follow, and which channels follow
 * a job (those an attachment was sent to, or the one a room zip was made for), so that its
 * {@code job.updated} reaches every member.
 */
@Component
class ChannelRoutes implements ChannelDirectory, JobAudience {

    private final Channels channels;
    private final Messages messages;

    ChannelRoutes(Channels channels, Messages messages) {
        this.channels = channels;
        this.messages = messages;
    }

    @Override
    public Set<UUID> channelsOf(UUID userId) {
        return channels.channelIdsOf(userId);
    }

    @Override
    public Map<UUID, Set<Route>> routesOf(Collection<Job> jobs) {
        Map<UUID, Set<Route>> routes = new HashMap<>();
        Map<UUID, Set<UUID>> byUpload = messages.channelsOf(
                jobs.stream().map(Job::uploadId).filter(Objects::nonNull).collect(java.util.stream.Collectors.toSet()));
        for (Job job : jobs) {
            Set<Route> mine = new HashSet<>();
            if (job.uploadId() != null) {
                byUpload.getOrDefault(job.uploadId(), Set.of()).forEach(c -> mine.add(Route.channel(c)));
            }
            UUID zipChannel = JobService.channelOf(job);
            if (zipChannel != null) {
                mine.add(Route.channel(zipChannel));
            }
            if (!mine.isEmpty()) {
                routes.put(job.id().value(), mine);
            }
        }
        return routes;
    }
}
