-- Slimmer service_costs (issue 20): V003's (tenant_id, source, "timestamp") index served one query
-- only, a cluster grain restoring the shares it last sent (source 'shared:<cluster>'), yet every
-- bucket of every service paid for an entry in it. A partial index over the shared rows serves that
-- query (PostgresAllocationStore repeats the predicate, so the planner can prove it) and leaves the
-- ordinary buckets with two indexes: the primary key and the dashboards' covering index.
CREATE INDEX service_costs_shared_source_time ON service_costs (tenant_id, source, "timestamp") WHERE source LIKE 'shared:%';
DROP INDEX service_costs_tenant_source_time;
