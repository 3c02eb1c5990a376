create table users (
    id            uuid primary key,
    username      varchar(32)  not null,
    password_hash varchar(255) not null,
    display_name  varchar(64)  not null,
    admin         boolean      not null default false,
    created_at    timestamptz  not null default now()
);
create unique index users_username_key on users (lower(username));

create table uploads (
    id            uuid primary key,
    owner_id      uuid         not null references users (id),
    file_name     varchar(255) not null,
    size          bigint       not null check (size >= 0),
    content_type  varchar(255) not null,
    detected_type varchar(255),
    object_key    varchar(512) not null unique,
    state         varchar(20)  not null,
    channel_id    uuid,
    expires_at    timestamptz  not null,
    created_at    timestamptz  not null default now(),
    completed_at  timestamptz,
    job_id        uuid
);
create index uploads_owner_created on uploads (owner_id, created_at desc);
create index uploads_awaiting_expiry on uploads (expires_at) where state = 'AWAITING_UPLOAD';

-- The seed's jobs table, plus ownership, scheduling, leases and optimistic versioning.
create table jobs (
    job_id        uuid primary key,
    owner_id      uuid         not null references users (id),
    upload_id     uuid references uploads (id),
    parent_id     uuid references jobs (job_id),
    type          varchar(32)  not null,
    status        varchar(20)  not null,
    priority      int          not null default 0,
    file_name     varchar(255),
    file_size     bigint,
    detected_type varchar(255),
    object_key    varchar(512),
    outputs       jsonb        not null default '{}',
    metadata      jsonb        not null default '{}',
    progress      int          not null default 0 check (progress between 0 and 100),
    attempts      int          not null default 0,
    max_attempts  int          not null,
    run_at        timestamptz  not null default now(),
    next_retry_at timestamptz,
    error_message text,
    lease_owner   varchar(128),
    heartbeat_at  timestamptz,
    version       bigint       not null default 0,
    created_at    timestamptz  not null default now(),
    started_at    timestamptz,
    completed_at  timestamptz,
    failed_at     timestamptz
);
-- claim: the next runnable job of the types a worker serves
create index jobs_runnable on jobs (type, priority desc, run_at) where status in ('PENDING', 'RETRYING');
-- lease recovery: in-flight jobs by heartbeat age
create index jobs_in_flight on jobs (heartbeat_at) where status = 'PROCESSING';
-- the caller's job list, newest first, keyset-paged
create index jobs_owner_created on jobs (owner_id, created_at desc, job_id desc);
create index jobs_status_created on jobs (status, created_at);
create index jobs_parent on jobs (parent_id) where parent_id is not null;
