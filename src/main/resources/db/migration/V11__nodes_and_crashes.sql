-- every node heartbeats now, whatever its roles: the table is no longer the gateways' alone
alter table gateway_nodes rename to nodes;
alter table nodes rename constraint gateway_nodes_pkey to nodes_pkey;

-- how many times a job's worker died (its node stopped heartbeating) while running it; such a
-- crash does not use up an attempt, and a job that crashes its worker chute.jobs.max-crashes
-- times is FAILED
alter table jobs add column crashes int not null default 0;
