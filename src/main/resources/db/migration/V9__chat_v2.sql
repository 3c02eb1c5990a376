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
create index messages_search on messages using gin (search);

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
create function file_name_search(name text) returns tsvector
    language sql immutable parallel safe
    as $$ select to_tsvector('simple'::regconfig, name || ' ' || regexp_replace(name, '[^[:alnum:]]+', ' ', 'g')) $$;
create index uploads_file_name_search on uploads using gin (file_name_search(file_name));

-- the extracted text of a document (a pdf job's text output), capped, indexed when its job completes
create table upload_texts (
    upload_id  uuid        primary key references uploads (id) on delete cascade,
    content    text        not null,
    truncated  boolean     not null,
    indexed_at timestamptz not null default now(),
    search     tsvector    generated always as (to_tsvector('simple', content)) stored
);
create index upload_texts_search on upload_texts using gin (search);
