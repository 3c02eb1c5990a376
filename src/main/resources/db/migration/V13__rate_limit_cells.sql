-- The API's rate limits, one row per limit and subject (e.g. 'login-username:alice'), taken in one
-- statement each (GCRA: tat is the theoretical arrival time, in epoch seconds, of the next request
-- once the bucket is empty; granted says whether the last request was let through). Unlogged: the
-- state of a bucket is not worth a WAL write and an fsync per request; after a crash (or on a
-- promoted standby) the buckets start full, as after a refill. rate_limit_buckets stays for the
-- job start rates (Bucket4j).
create unlogged table rate_limit_cells (
    key     varchar(300) primary key,
    tat     double precision not null,
    granted boolean not null
);
