-- Fair shares between owners within a job type, and two lanes (start-time fair queuing).
--
-- Every job gets a fair rank when it is submitted: its virtual start, the greater of the type's
-- virtual clock and the virtual finish of the owner's previous job in the same type and lane,
-- plus a fixed lag for the bulk lane. The owner's virtual finish then moves on by 1 / weight.
-- Claims take the lowest rank first (within priority) and move the type's clock up to the rank
-- they claimed. A backlog of 200 jobs from one owner gets ranks V .. V + 199; another owner's
-- single job, arriving later, gets about V and runs next. The bulk lag is bounded, so bulk work
-- runs once the clock has passed it, however much interactive work keeps arriving.
alter table jobs add column lane varchar(12) not null default 'INTERACTIVE'
    constraint jobs_lane_check check (lane in ('INTERACTIVE', 'BULK'));
alter table jobs add column fair_rank double precision not null default 0;

-- An owner's share: 2 runs twice as many jobs as 1 while both have a backlog.
alter table users add column job_weight double precision not null default 1
    constraint users_job_weight_check check (job_weight > 0);

-- A type's virtual clock: the highest rank claimed so far.
create table job_fair_clock (
    type         varchar(32)      primary key,
    virtual_time double precision not null
);

-- An owner's virtual finish per type and lane.
create table job_fair_owners (
    type        varchar(32)      not null,
    owner_id    uuid             not null,
    lane        varchar(12)      not null,
    last_finish double precision not null,
    primary key (type, owner_id, lane)
);

-- The claim's order: the fairest waiting job of a type first.
create index jobs_fair on jobs (type, priority desc, fair_rank, run_at) where status in ('PENDING', 'RETRYING');
-- Per-owner concurrency and the admin view's per-owner backlog.
create index jobs_type_owner_active on jobs (type, owner_id, status) where status in ('PENDING', 'RETRYING', 'PROCESSING');

-- The virtual start of a new job of (type, owner, lane), moving the owner's virtual finish on.
-- The owner's row stays locked until the submitting transaction ends, so one owner's concurrent
-- submissions to a type and lane get distinct starts.
create function job_fair_start(p_type varchar, p_owner uuid, p_lane varchar) returns double precision
language plpgsql volatile as $$
declare
    clock  double precision := coalesce((select c.virtual_time from job_fair_clock c where c.type = p_type), 0);
    cost   double precision := 1 / coalesce((select u.job_weight from users u where u.id = p_owner), 1);
    finish double precision;
begin
    insert into job_fair_owners as o (type, owner_id, lane, last_finish)
    values (p_type, p_owner, p_lane, clock + cost)
    on conflict (type, owner_id, lane) do update set last_finish = greatest(o.last_finish, clock) + cost
    returning o.last_finish into finish;
    return finish - cost;
end
$$;
