-- Chat: contacts, channels with their members, messages and their attachments, presence.

-- user search: prefix match on the lowered username or display name
create index users_username_prefix on users (lower(username) text_pattern_ops);
create index users_display_name_prefix on users (lower(display_name) text_pattern_ops);

-- owner_id has contact_id in their contact list (one way; presence goes to whoever has you)
create table contacts (
    owner_id   uuid        not null references users (id) on delete cascade,
    contact_id uuid        not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    primary key (owner_id, contact_id),
    check (owner_id <> contact_id)
);
create index contacts_contact on contacts (contact_id);

-- last_seq is the channel's message counter: each message takes last_seq + 1 under the channel
-- row's lock, so a channel's messages are numbered without gaps in commit order.
-- direct_key ("{smaller id}:{larger id}") makes a pair's direct channel unique.
create table channels (
    id         uuid         primary key,
    type       varchar(10)  not null check (type in ('direct', 'group')),
    name       varchar(100),
    direct_key varchar(80)  unique,
    created_at timestamptz  not null default now(),
    last_seq   bigint       not null default 0,
    check ((type = 'direct') = (direct_key is not null))
);

-- One row per member: the role and the member's receipt pointers (everything up to seq N is
-- delivered / read), rather than a row per recipient per message.
create table channel_members (
    channel_id         uuid        not null references channels (id) on delete cascade,
    user_id            uuid        not null references users (id) on delete cascade,
    role               varchar(10) not null default 'member' check (role in ('owner', 'admin', 'member')),
    joined_at          timestamptz not null default now(),
    last_read_seq      bigint      not null default 0,
    last_read_at       timestamptz,
    last_delivered_seq bigint      not null default 0,
    last_delivered_at  timestamptz,
    primary key (channel_id, user_id)
);
create index channel_members_user on channel_members (user_id);

create table messages (
    id                uuid        primary key,
    channel_id        uuid        not null references channels (id) on delete cascade,
    seq               bigint      not null,
    sender_id         uuid        not null references users (id),
    client_message_id varchar(64) not null,
    content           text        not null,
    created_at        timestamptz not null default now(),
    -- history (newest first, keyset on seq), the last message, and receipt ranges
    unique (channel_id, seq),
    -- sending the same clientMessageId twice creates one message
    unique (sender_id, client_message_id)
);

create table message_attachments (
    message_id uuid not null references messages (id) on delete cascade,
    position   int  not null,
    upload_id  uuid not null references uploads (id),
    channel_id uuid not null references channels (id) on delete cascade,
    primary key (message_id, position)
);
-- who may read an upload (members of the channels it was sent to), and room zips
create index message_attachments_upload on message_attachments (upload_id, channel_id);

-- Presence, shared by every gateway node: one row per open socket, and a heartbeat per node so
-- that the sockets of a node that died are swept by the others.
create table presence_sockets (
    user_id   uuid         not null,
    node_id   varchar(128) not null,
    socket_id varchar(128) not null,
    opened_at timestamptz  not null default now(),
    primary key (node_id, socket_id)
);
create index presence_sockets_user on presence_sockets (user_id);

create table gateway_nodes (
    node_id      varchar(128) primary key,
    heartbeat_at timestamptz  not null default now()
);

-- idle_since: when an online user's last socket went away; offline once it is older than the
-- grace period and no socket came back
create table presence (
    user_id      uuid        primary key references users (id) on delete cascade,
    online       boolean     not null default false,
    last_seen_at timestamptz not null default now(),
    idle_since   timestamptz
);
create index presence_idle on presence (idle_since) where online and idle_since is not null;
