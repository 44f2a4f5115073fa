-- Hourly cost buckets. One row is one absolute bucket: re-sending data updates the row in place.
-- "timestamp" is the UTC hour start. Contract columns are listed in shared ARCHITECTURE.md.

CREATE TABLE service_costs (
    tenant_id        text        NOT NULL,
    "timestamp"      timestamptz NOT NULL,
    service_name     text        NOT NULL,
    cloud_provider   text        NOT NULL,
    account_id       text        NOT NULL DEFAULT '',
    cost_type        text        NOT NULL,
    source           text        NOT NULL DEFAULT '',
    -- storage_type for storage buckets, direction for network buckets, '' otherwise
    breakdown        text        NOT NULL DEFAULT '',
    cost_usd         numeric     NOT NULL,
    cpu_cost_usd     numeric     NOT NULL DEFAULT 0,
    memory_cost_usd  numeric     NOT NULL DEFAULT 0,
    storage_gb       numeric     NOT NULL DEFAULT 0,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, service_name, "timestamp", cloud_provider, account_id, cost_type, source, breakdown)
);
CREATE INDEX service_costs_tenant_time ON service_costs (tenant_id, "timestamp");

CREATE TABLE network_costs (
    tenant_id        text        NOT NULL,
    "timestamp"      timestamptz NOT NULL,
    service_name     text        NOT NULL,
    cloud_provider   text        NOT NULL,
    account_id       text        NOT NULL DEFAULT '',
    source           text        NOT NULL DEFAULT '',
    direction        text        NOT NULL,
    cost_usd         numeric     NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, service_name, "timestamp", cloud_provider, account_id, source, direction)
);
CREATE INDEX network_costs_tenant_time ON network_costs (tenant_id, "timestamp");

CREATE TABLE storage_costs (
    tenant_id        text        NOT NULL,
    "timestamp"      timestamptz NOT NULL,
    service_name     text        NOT NULL,
    cloud_provider   text        NOT NULL,
    account_id       text        NOT NULL DEFAULT '',
    source           text        NOT NULL DEFAULT '',
    storage_type     text        NOT NULL,
    storage_gb       numeric     NOT NULL DEFAULT 0,
    cost_usd         numeric     NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, service_name, "timestamp", cloud_provider, account_id, source, storage_type)
);
CREATE INDEX storage_costs_tenant_time ON storage_costs (tenant_id, "timestamp");

-- Kubernetes and shared infrastructure allocation (one row per pod / per service and hour).
CREATE TABLE pod_costs (
    tenant_id        text        NOT NULL,
    "timestamp"      timestamptz NOT NULL,
    cluster_name     text        NOT NULL,
    namespace        text        NOT NULL,
    pod_name         text        NOT NULL,
    service_name     text        NOT NULL,
    cpu_cost_usd     numeric     NOT NULL DEFAULT 0,
    memory_cost_usd  numeric     NOT NULL DEFAULT 0,
    storage_cost_usd numeric     NOT NULL DEFAULT 0,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, cluster_name, "timestamp", namespace, pod_name)
);
CREATE INDEX pod_costs_tenant_time ON pod_costs (tenant_id, "timestamp");

CREATE TABLE shared_infrastructure_allocation (
    tenant_id                 text        NOT NULL,
    "timestamp"               timestamptz NOT NULL,
    cluster_name              text        NOT NULL,
    resource_type             text        NOT NULL CHECK (resource_type IN ('kubernetes', 'storage', 'load_balancer')),
    service_name              text        NOT NULL,
    cpu_allocation_percent    numeric     NOT NULL DEFAULT 0,
    memory_allocation_percent numeric     NOT NULL DEFAULT 0,
    allocated_cost_usd        numeric     NOT NULL,
    updated_at                timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, cluster_name, "timestamp", resource_type, service_name)
);
CREATE INDEX shared_allocation_tenant_time ON shared_infrastructure_allocation (tenant_id, "timestamp");

-- One row per (service, hour) judged anomalous; a restated hour updates its row.
CREATE TABLE cost_anomalies (
    tenant_id      text        NOT NULL,
    "timestamp"    timestamptz NOT NULL,
    service_name   text        NOT NULL,
    cost_usd       numeric     NOT NULL,
    expected_cost  numeric     NOT NULL,
    zscore         double precision NOT NULL,
    direction      text        NOT NULL DEFAULT 'up',
    reason         text        NOT NULL DEFAULT '',
    detected_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, service_name, "timestamp")
);
CREATE INDEX cost_anomalies_tenant_time ON cost_anomalies (tenant_id, "timestamp");

-- Monthly budgets in USD; service_name '*' is the tenant's total budget.
CREATE TABLE budgets (
    tenant_id          text        NOT NULL,
    service_name       text        NOT NULL,
    monthly_budget_usd numeric     NOT NULL CHECK (monthly_budget_usd > 0),
    currency           text        NOT NULL DEFAULT 'USD',
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, service_name)
);

CREATE TABLE cost_forecasts (
    tenant_id               text        NOT NULL,
    service_name            text        NOT NULL,
    month                   date        NOT NULL,
    forecast_usd            numeric     NOT NULL,
    lower_usd               numeric     NOT NULL,
    upper_usd               numeric     NOT NULL,
    budget_usd              numeric,
    forecast_exceeds_budget boolean     NOT NULL DEFAULT false,
    computed_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, service_name, month)
);

-- Read-only role for Grafana. Roles are cluster-wide, so create it only once; the password is
-- set outside migrations (docker init script or the operator), never committed. Databases of one
-- cluster may migrate at the same time (the advisory lock is per database), so losing the race to
-- create the role is fine too.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grafana_reader') THEN
        CREATE ROLE grafana_reader NOLOGIN;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;
GRANT SELECT ON service_costs, network_costs, storage_costs, pod_costs,
    shared_infrastructure_allocation, cost_anomalies, budgets, cost_forecasts TO grafana_reader;
