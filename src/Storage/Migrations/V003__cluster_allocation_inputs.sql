-- Raw inputs of the shared infrastructure allocation, so a cluster grain can rebuild its hours
-- after a restart and a late usage report or restated bill recomputes its hour from all inputs.
-- Like service_costs, one row is one absolute bucket: a later report for the key replaces the row.

-- A cluster's own cost by hour. component: node (cpu/memory parts; the rest is shared by both),
-- storage (pool = storage type), load_balancer (pool = load balancer name).
CREATE TABLE cluster_cost_buckets (
    tenant_id                text        NOT NULL,
    cluster_name             text        NOT NULL,
    "timestamp"              timestamptz NOT NULL,
    cloud_provider           text        NOT NULL,
    account_id               text        NOT NULL DEFAULT '',
    cost_type                text        NOT NULL,
    component                text        NOT NULL CHECK (component IN ('node', 'storage', 'load_balancer')),
    pool                     text        NOT NULL DEFAULT '',
    source                   text        NOT NULL DEFAULT '',
    cost_usd                 numeric     NOT NULL,
    cpu_cost_usd             numeric     NOT NULL DEFAULT 0,
    memory_cost_usd          numeric     NOT NULL DEFAULT 0,
    storage_gb               numeric     NOT NULL DEFAULT 0,
    cpu_capacity_core_hours  numeric     NOT NULL DEFAULT 0,
    memory_capacity_gb_hours numeric     NOT NULL DEFAULT 0,
    updated_at               timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, cluster_name, "timestamp", cloud_provider, account_id, cost_type, component, pool, source)
);

-- Workload usage per pod and hour, with the service it was resolved to.
CREATE TABLE pod_usage (
    tenant_id               text        NOT NULL,
    cluster_name            text        NOT NULL,
    "timestamp"             timestamptz NOT NULL,
    namespace               text        NOT NULL,
    pod_name                text        NOT NULL,
    service_name            text        NOT NULL,
    cpu_request_core_hours  numeric     NOT NULL DEFAULT 0,
    cpu_usage_core_hours    numeric     NOT NULL DEFAULT 0,
    memory_request_gb_hours numeric     NOT NULL DEFAULT 0,
    memory_usage_gb_hours   numeric     NOT NULL DEFAULT 0,
    storage_type            text,
    storage_gb_hours        numeric     NOT NULL DEFAULT 0,
    load_balancer           text,
    lb_requests             numeric     NOT NULL DEFAULT 0,
    updated_at              timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, cluster_name, "timestamp", namespace, pod_name)
);

-- A cluster grain restores what it last sent to services from service_costs by source.
CREATE INDEX service_costs_tenant_source_time ON service_costs (tenant_id, source, "timestamp");
