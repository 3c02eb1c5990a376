-- Integrity: the SHA-256 the client declared at signing (optional) and the one Chute verified
-- on the stored bytes (set on every completed upload).
alter table uploads
    add column declared_sha256 char(64),
    add column sha256          char(64);

-- Quotas: a per-user override of chute.uploads.quota in bytes (null: the configured default).
alter table users
    add column quota_bytes bigint check (quota_bytes >= 0);
