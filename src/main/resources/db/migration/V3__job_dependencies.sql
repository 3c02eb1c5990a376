-- A job runs only when every job it depends on is COMPLETED: a parent on its children, a zip
-- on the jobs of its inputs (which may belong to several zips, hence a table, not a column).
create table job_dependencies (
    job_id     uuid not null references jobs (job_id) on delete cascade,
    depends_on uuid not null references jobs (job_id) on delete cascade,
    primary key (job_id, depends_on)
);
create index job_dependencies_depends_on on job_dependencies (depends_on);

insert into job_dependencies (job_id, depends_on)
select parent_id, job_id from jobs where parent_id is not null;
