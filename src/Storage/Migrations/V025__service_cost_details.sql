-- What the sources said about a service_costs bucket beyond its amount: the provider's own service name
-- (e.g. "Amazon EC2"), the region, the sub account's name, and, for a source that billed in another
-- currency, that currency with the rate (USD per unit) cost_usd was converted at, so the original amount
-- is cost_usd / usd_rate. The FOCUS export shows them (ServiceName, RegionId/RegionName, SubAccountName,
-- x_CloudSentinelBilledCurrency/x_CloudSentinelBilledAmount); nothing sums them. A separate table keyed like service_costs,
-- written by the ingest path before the request reaches the ingest log, so the bucket upsert, its
-- triggers and the journal stay as they are, and a request that describes nothing writes nothing here.
-- A later description of the same bucket replaces the earlier one, as a later amount does.
CREATE TABLE service_cost_details (
    tenant_id        text        NOT NULL,
    "timestamp"      timestamptz NOT NULL,
    service_name     text        NOT NULL,
    cloud_provider   text        NOT NULL,
    account_id       text        NOT NULL DEFAULT '',
    cost_type        text        NOT NULL,
    source           text        NOT NULL DEFAULT '',
    breakdown        text        NOT NULL DEFAULT '',
    provider_service text,
    region           text,
    sub_account_name text,
    billing_currency text,
    usd_rate         numeric,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, service_name, "timestamp", cloud_provider, account_id, cost_type, source, breakdown)
);
CREATE INDEX service_cost_details_tenant_time ON service_cost_details (tenant_id, "timestamp");

GRANT SELECT ON service_cost_details TO cloudsentinel_tenants;
ALTER TABLE service_cost_details ENABLE ROW LEVEL SECURITY;
CREATE POLICY all_tenants ON service_cost_details FOR SELECT TO grafana_reader USING (true);
CREATE POLICY own_tenant ON service_cost_details FOR SELECT TO cloudsentinel_tenants
    USING (tenant_id = ANY (CAST((SELECT cloudsentinel_visible_tenants()) AS text[])));
GRANT SELECT ON service_cost_details TO grafana_reader;
