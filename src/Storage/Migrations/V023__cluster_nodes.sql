-- Which cluster each billed node instance belongs to, per tenant, as the cluster's own Prometheus
-- reports it (kube_node_info's provider_id, normalised: see docs/allocation.md "Nodes"). Every gateway
-- and silo reloads it, so a node's cost billed without a cluster tag is routed to the cluster by all
-- of them alike. An instance seen in another cluster later moves (last poll wins).
CREATE TABLE cluster_nodes (
    tenant_id     text        NOT NULL,
    instance_id   text        NOT NULL,
    cluster_name  text        NOT NULL,
    last_seen     timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, instance_id)
);

GRANT SELECT ON cluster_nodes TO cloudsentinel_tenants, grafana_reader;
ALTER TABLE cluster_nodes ENABLE ROW LEVEL SECURITY;
CREATE POLICY all_tenants ON cluster_nodes FOR SELECT TO grafana_reader USING (true);
CREATE POLICY own_tenant ON cluster_nodes FOR SELECT TO cloudsentinel_tenants
    USING (tenant_id = ANY (CAST((SELECT cloudsentinel_visible_tenants()) AS text[])));
