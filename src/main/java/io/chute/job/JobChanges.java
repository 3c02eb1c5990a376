package io.chute.job;

import java.util.Collection;
import java.util.List;
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

    /**
     * The same, told with the rows as the change left them (as its transaction sees them), for a change that has
     * them at hand (an insert's {@code returning}), so that an observer that needs them need not read them again.
     */
    default void changedRows(List<Job> jobs) {
        changed(jobs.stream().map(j -> j.id().value()).toList());
    }
}
