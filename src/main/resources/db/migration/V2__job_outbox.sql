-- Messages the RabbitMQ job queue owes the broker: written in the transaction that made a job
-- runnable, published with confirms by an outbox relay, deleted once confirmed. A row is a job
-- id to deliver: to its type's work queue when run_at has come, through a delay queue before,
-- or to the dead-letter queue when dead. The PostgreSQL queue never writes here.
--
-- No foreign key to jobs: a message for a job deleted meanwhile is harmless (its claim finds
-- nothing), and the insert stays as cheap as possible on the submit path.
create table job_outbox (
    id         bigserial    primary key,
    job_id     uuid         not null,
    type       varchar(32)  not null,
    priority   int          not null default 0,
    run_at     timestamptz  not null default now(),
    dead       boolean      not null default false,
    created_at timestamptz  not null default now()
);
