package io.chute.job;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The life of a job, with the only moves allowed between states. Every transition in the
 * database is conditional on the current status (and version): {@link JobSql} reads the allowed
 * current statuses off this table, so the statements cannot allow a move it does not.
 */
public enum JobStatus {
    PENDING,
    PROCESSING,
    RETRYING,
    COMPLETED,
    FAILED,
    CANCELLED,
    REJECTED;

    private static final Map<JobStatus, Set<JobStatus>> ALLOWED = Map.of(
            // PENDING or RETRYING → FAILED: a parent whose input job can no longer complete
            PENDING, EnumSet.of(PROCESSING, CANCELLED, FAILED),
            PROCESSING, EnumSet.of(COMPLETED, RETRYING, FAILED, REJECTED, CANCELLED),
            RETRYING, EnumSet.of(PROCESSING, CANCELLED, FAILED),
            FAILED, EnumSet.of(PENDING),
            CANCELLED, EnumSet.of(PENDING),
            COMPLETED, EnumSet.noneOf(JobStatus.class),
            REJECTED, EnumSet.noneOf(JobStatus.class));

    public boolean canMoveTo(JobStatus next) {
        return ALLOWED.get(this).contains(next);
    }

    /** The states from which a move to {@code next} is allowed. */
    public static Set<JobStatus> sourcesOf(JobStatus next) {
        EnumSet<JobStatus> sources = EnumSet.noneOf(JobStatus.class);
        for (JobStatus s : values()) {
            if (s.canMoveTo(next)) {
                sources.add(s);
            }
        }
        return sources;
    }

    public boolean isFinal() {
        return ALLOWED.get(this).isEmpty();
    }
}
