-- The W3C traceparent of the request that made a job (e.g. the upload's complete), so that a
-- worker, on any node and through either queue, continues that trace. Null when tracing is off.
alter table jobs add column trace_parent varchar(55);
alter table job_outbox add column trace_parent varchar(55);
