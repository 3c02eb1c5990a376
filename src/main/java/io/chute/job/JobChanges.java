package io.chute.job;

import java.util.Collection;
import java.util.UUID;

/**
 * Told which jobs changed status or progress, inside the transaction that changed them: what an
 * implementation writes commits or rolls back with the change (and what it wants done after the
 * commit, it registers with {@code AfterCommit}). Every change made through {@link Jobs} is told,
 * on the node that made it, on the thread that made it; an exception rolls the change back.
 */
@FunctionalInterface
public interface JobChanges {

    void changed(Collection<UUID> jobIds);
}
