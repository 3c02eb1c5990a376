package io.chute.job;

/**
 * Who is waiting for a job, set by whoever submits it: {@link #INTERACTIVE} work (a fresh upload's
 * renditions, a chat attachment) runs before {@link #BULK} work (zips, re-processing, retries of
 * old jobs). Bulk never starves: its fair rank lags by {@link #BULK_LAG} rounds of the type's
 * virtual clock, so it runs once the clock has moved that far, however much interactive work
 * keeps arriving.
 */
public enum JobLane {
    INTERACTIVE,
    BULK;

    /**
     * How far behind a bulk job starts, in rounds of the type's virtual clock (one round: one job
     * of every owner with a backlog, each weighted).
     */
    public static final double BULK_LAG = 8;

    /** What this lane adds to a job's virtual start. */
    public double lag() {
        return this == BULK ? BULK_LAG : 0;
    }
}
