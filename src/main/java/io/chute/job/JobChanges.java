package io.chute.job;

import java.util.Collection;
import java.util.UUID;

/**
 * Told which jobs changed status or progress, once the change is committed (a rolled-back
 * change is never told). Every change made through {@link Jobs} is told, on the node that made
 * it. Implementations run on the thread that made the change, so they must return at once.
 */
@FunctionalInterface
public interface JobChanges {

    void changed(Collection<UUID> jobIds);
}
