package io.chute.realtime;

import io.chute.job.Job;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Who else follows a job besides its owner: a chat attachment's job is also shown to its channel.
 * Asked once per batch of changed jobs.
 */
@FunctionalInterface
public interface JobAudience {

    /** Extra routes per job id; jobs with none may be left out. */
    Map<UUID, Set<Route>> routesOf(Collection<Job> jobs);
}
