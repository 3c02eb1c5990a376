-- Chat v2: edits, tombstones, replies, mentions, reactions, per-channel notification levels, and
-- full-text search over message text, file names and the extracted text of documents.

alter table messages
    add column edited_at  timestamptz,
    add column deleted_at timestamptz,
    add column reply_to   uuid references messages (id) on delete set null,
    -- the members mentioned as @username, resolved when the message was stored (or edited)
    add column mentions   uuid[] not null default '{}',
    -- 'simple': no stemming, so that words of any language (and codes like invoice numbers) match as written
    add column search     tsvector generated always as (to_tsvector('simple', content)) stored;
-- channel and words in one index (btree_gin, a trusted contrib extension): a search in the caller's channels
-- reads only their postings, not every channel's matches of a frequent word
create extension if not exists btree_gin;
create index messages_search on messages using gin (channel_id, search);

create table message_reactions (
    message_id uuid        not null references messages (id) on delete cascade,
    emoji      varchar(64) not null,
    user_id    uuid        not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    primary key (message_id, emoji, user_id)
);

alter table channel_members
    add column notifications varchar(10) not null default 'all' check (notifications in ('all', 'mentions', 'none'));

-- a file name's words: "Invoice_2024-117.pdf" is found by "invoice", "2024", "117", "pdf" and the whole name
-- (a stored column, not an expression index: an SQL function in the index would be inlined in queries and miss it)
alter table uploads
    add column name_search tsvector generated always as (to_tsvector('simple',
        file_name || ' ' || regexp_replace(file_name, '[^[:alnum:]]+', ' ', 'g'))) stored;
create index uploads_name_search on uploads using gin (name_search);

-- the extracted text of a document (a pdf job's text output), capped, indexed when its job completes
create table upload_texts (
    upload_id  uuid        primary key references uploads (id) on delete cascade,
    content    text        not null,
    truncated  boolean     not null,
    indexed_at timestamptz not null default now(),
    search     tsvector    generated always as (to_tsvector('simple', content)) stored
);
create index upload_texts_search on upload_texts using gin (search);
