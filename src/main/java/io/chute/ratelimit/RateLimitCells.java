package io.chute.ratelimit;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The rows of {@code rate_limit_cells}: one token bucket per limit and subject (see {@link RateLimits}). */
@Repository
class RateLimitCells {

    /**
     * Takes a token when one is left (the arrival time moves on by one interval) or leaves the row as it was; the
     * clock is the database's, so that every node sees the same time. A subject seen for the first time gets a row
     * that has just spent one token of a full bucket.
     */
    private static final String TAKE = """
            with clock as (select extract(epoch from clock_timestamp()) as now)
            insert into rate_limit_cells as c (key, tat, granted)
            select :key, clock.now + :interval, true from clock
            on conflict (key) do update set
                tat = case when greatest(c.tat, (select now from clock)) + :interval <= (select now from clock) + :period
                           then greatest(c.tat, (select now from clock)) + :interval else c.tat end,
                granted = greatest(c.tat, (select now from clock)) + :interval <= (select now from clock) + :period
            returning granted, tat - (select now from clock) as ahead""";

    private final JdbcClient jdbc;

    RateLimitCells(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Whether a token was taken, and how far (s) the bucket's arrival time is then ahead of the database's clock. */
    record Taken(boolean granted, double ahead) {}

    /** Takes a token of the bucket {@code key} that gives one per {@code interval} s, {@code period} s' worth at most. */
    Taken take(String key, double interval, double period) {
        return jdbc.sql(TAKE)
                .param("key", key)
                .param("interval", interval)
                .param("period", period)
                .query((rs, n) -> new Taken(rs.getBoolean("granted"), rs.getDouble("ahead")))
                .single();
    }

    /** Gives a token back; a full bucket holds no more than its capacity (its arrival time never goes before now). */
    void giveBack(String key, double interval) {
        jdbc.sql("""
                update rate_limit_cells
                set tat = greatest(tat - :interval, extract(epoch from clock_timestamp()))
                where key = :key""").param("interval", interval).param("key", key).update();
    }

    /** Deletes up to {@code batch} buckets that refilled completely (nothing in them worth keeping). */
    int removeFull(int batch) {
        return jdbc.sql("""
                delete from rate_limit_cells where key in (
                    select key from rate_limit_cells
                    where tat < extract(epoch from clock_timestamp()) limit :batch)""").param("batch", batch).update();
    }
}
