-- network_costs and storage_costs become views of service_costs. Every row they held was a copy of
-- a service_costs row (cost type network with a direction, or storage), written by the same upsert
-- in the same transaction, so each bucket cost PostgreSQL a second upsert and a second set of index
-- entries: a third of the rows the ingest path wrote in the worst case. The views give the same
-- columns, in the same order, to Grafana and to users' queries. They are security_invoker views,
-- so the row-level security of service_costs applies to whoever reads them.

-- Keep any row that has no counterpart in service_costs (none is expected: the store always wrote
-- both; a row written by hand would be one). service_costs wins where both exist.
INSERT INTO service_costs (tenant_id, "timestamp", service_name, cloud_provider, account_id, cost_type, source, breakdown,
                           cost_usd, updated_at, ingest_seq)
SELECT tenant_id, "timestamp", service_name, cloud_provider, account_id, 'network', source, direction, cost_usd, updated_at, ingest_seq
FROM network_costs
WHERE direction <> ''
ORDER BY tenant_id, service_name, "timestamp"
ON CONFLICT DO NOTHING;

INSERT INTO service_costs (tenant_id, "timestamp", service_name, cloud_provider, account_id, cost_type, source, breakdown,
                           cost_usd, storage_gb, updated_at, ingest_seq)
SELECT tenant_id, "timestamp", service_name, cloud_provider, account_id, 'storage', source,
       CASE WHEN storage_type = 'unspecified' THEN '' ELSE storage_type END, cost_usd, storage_gb, updated_at, ingest_seq
FROM storage_costs
ORDER BY tenant_id, service_name, "timestamp"
ON CONFLICT DO NOTHING;

DROP TABLE network_costs;
DROP TABLE storage_costs;

-- A network bucket without a direction was never a network_costs row; a storage bucket without a
-- type is 'unspecified' (SnapshotBuilder.UnspecifiedStorageType).
CREATE VIEW network_costs WITH (security_invoker = true) AS
SELECT tenant_id, "timestamp", service_name, cloud_provider, account_id, source,
       breakdown AS direction, cost_usd, updated_at, ingest_seq
FROM service_costs
WHERE cost_type = 'network' AND breakdown <> '';

CREATE VIEW storage_costs WITH (security_invoker = true) AS
SELECT tenant_id, "timestamp", service_name, cloud_provider, account_id, source,
       CASE WHEN breakdown = '' THEN 'unspecified' ELSE breakdown END AS storage_type,
       storage_gb, cost_usd, updated_at, ingest_seq
FROM service_costs
WHERE cost_type = 'storage';

GRANT SELECT ON network_costs, storage_costs TO grafana_reader, cloudsentinel_tenants;
