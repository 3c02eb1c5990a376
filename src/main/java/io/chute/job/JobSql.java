package io.chute.job;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * SQL fragments about job statuses, built from {@link JobStatus}'s transition table so that the
 * statements and the table cannot disagree. Every fragment expects the jobs table under the alias
 * {@code j}; the queue adapters build their claims from them too.
 */
public final class JobSql {

    /**
     * The condition a conditional update puts on the current status before moving a job to
     * {@code next}: {@code j.status in ('PENDING', 'RETRYING')} for {@code PROCESSING}.
     */
    public static String movableTo(JobStatus next) {
        return in(JobStatus.sourcesOf(next));
    }

    /** A status as a SQL literal, e.g. {@code 'PROCESSING'}. */
    public static String literal(JobStatus status) {
        return "'" + status.name() + "'";
    }

    /** {@code j.status in (...)} for the given statuses, in declaration order. */
    public static String in(Set<JobStatus> statuses) {
        if (statuses.isEmpty()) {
            throw new IllegalArgumentException("no status");
        }
        return statuses.stream().sorted().map(JobSql::literal).collect(Collectors.joining(", ", "j.status in (", ")"));
    }

    /** Waiting to be claimed (PENDING or RETRYING: the states a claim may take a job from). */
    public static final String WAITING = movableTo(JobStatus.PROCESSING);

    /** Waiting, and every job it depends on is COMPLETED; it may still be not yet due. */
    public static final String READY = WAITING
            + " and not exists (select 1 from job_dependencies d join jobs c on c.job_id = d.depends_on"
            + " where d.job_id = j.job_id and c.status <> " + literal(JobStatus.COMPLETED) + ")";

    /** Ready and due: what a claim may take now. */
    public static final String RUNNABLE = READY + " and j.run_at <= now()";

    /** The assignments of a claim by {@code :worker}: PROCESSING, one more attempt, a fresh heartbeat. */
    public static final String CLAIM = """
            status = %s, attempts = j.attempts + 1, lease_owner = :worker,
                   heartbeat_at = now(), started_at = coalesce(j.started_at, now()), next_retry_at = null,
                   version = j.version + 1""".formatted(literal(JobStatus.PROCESSING));

    /**
     * The order claims take runnable jobs of a type in: priority, then the fair rank (the owner's
     * share of the type and the job's lane, see {@link JobLane}), then due time. Served by the
     * {@code jobs_fair} index.
     */
    public static final String FAIR_ORDER = "j.priority desc, j.fair_rank, j.run_at";

    /**
     * A claim's last common table expression: moves the virtual clock of {@code :type} up to the
     * highest fair rank among the rows of the {@code claimed} expression (nothing when it claimed
     * nothing). New owners' jobs start at that clock, so they run next.
     */
    public static final String ADVANCE_CLOCK = """
            advanced as (
                insert into job_fair_clock as c (type, virtual_time)
                select cast(:type as varchar), max(fair_rank) from claimed having count(*) > 0
                on conflict (type) do update set virtual_time = greatest(c.virtual_time, excluded.virtual_time)
            )""";

    private JobSql() {}
}
