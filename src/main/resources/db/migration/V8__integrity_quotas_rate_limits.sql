-- Integrity: the SHA-256 the client declared at signing (optional) and the one Chute verified
-- on the stored bytes (set on every completed upload).
alter table uploads
    add column declared_sha256 char(64),
    add column sha256          char(64);

-- Quotas: a per-user override of chute.uploads.quota in bytes (null: the configured default).
alter table users
    add column quota_bytes bigint check (quota_bytes >= 0);

-- Rate limits: Bucket4j's buckets, shared by every API node (one row per limit and subject,
-- e.g. 'login-username:alice'); expires_at (epoch millis) lets expired rows be swept.
create table rate_limit_buckets (
    id         varchar(300) primary key,
    state      bytea,
    expires_at bigint
);

-- A completed upload its owner deleted (original and outputs gone for good) is DELETED.
alter table uploads drop constraint uploads_state_check;
alter table uploads add constraint uploads_state_check
    check (state in ('AWAITING_UPLOAD', 'COMPLETE', 'REJECTED', 'ABORTED', 'PURGED', 'DELETED'));
