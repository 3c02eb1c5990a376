-- A multipart upload: the store's multipart upload id and the part plan the client was given.
-- All three are null for a single signed PUT.
alter table uploads
    add column multipart_id varchar(1024),
    add column part_size    bigint check (part_size > 0),
    add column part_count   int    check (part_count between 1 and 10000);
