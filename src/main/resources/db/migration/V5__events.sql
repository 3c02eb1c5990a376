-- The replay log of durable real-time events (job.updated, message.created, ...): a reconnecting
-- client asks for what it missed with ?since=SEQ. seq is global, so it increases per user too.
create table events (
    seq        bigserial primary key,
    route      text        not null,
    type       text        not null,
    payload    jsonb       not null,
    created_at timestamptz not null default now()
);

create index events_route_seq on events (route, seq);
-- why: append-only, so a BRIN index makes pruning by age cheap to maintain
create index events_created_at on events using brin (created_at);
