-- The statuses the code knows, enforced by the database too: JobStatus and UploadState. Both
-- columns have only ever been written from those enums' names, so existing rows satisfy them.
alter table jobs add constraint jobs_status_check
    check (status in ('PENDING', 'PROCESSING', 'RETRYING', 'COMPLETED', 'FAILED', 'CANCELLED', 'REJECTED'));
alter table uploads add constraint uploads_state_check
    check (state in ('AWAITING_UPLOAD', 'COMPLETE', 'REJECTED', 'ABORTED', 'PURGED'));

-- uploads.channel_id was stored as given, unchecked: a channel that does not exist is forgotten.
-- uploads.job_id is always the id of a job inserted just before (jobs are never deleted); cleared
-- anyway if one is missing, so that the keys can be added on any existing database.
update uploads u set channel_id = null
where channel_id is not null and not exists (select 1 from channels c where c.id = u.channel_id);
update uploads u set job_id = null
where job_id is not null and not exists (select 1 from jobs j where j.job_id = u.job_id);

alter table uploads add constraint uploads_channel_id_fkey foreign key (channel_id) references channels (id);
alter table uploads add constraint uploads_job_id_fkey foreign key (job_id) references jobs (job_id);
