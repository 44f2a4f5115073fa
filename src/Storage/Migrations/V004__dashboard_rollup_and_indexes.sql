-- Dashboard load at scale (issue 6 benchmark, BENCHMARKS.md). With 10,000 services a tenant's
-- panels read millions of hourly buckets; these make every overview panel an index-only read or a
-- read of a few thousand pre-summed rows.

-- Tenant-wide panels (cost by service, top movers, top services of the trend) read one tenant's
-- hours across all its services. With the summed columns in the index they are index-only scans
-- instead of one heap visit per bucket. It replaces the plain (tenant_id, "timestamp") index,
-- which it serves just as well, so writes maintain no extra index.
CREATE INDEX service_costs_tenant_time_cover ON service_costs (tenant_id, "timestamp") INCLUDE (service_name, cost_type, cost_usd);
DROP INDEX service_costs_tenant_time;

-- Tenant totals per hour, cost type and cloud: "total cost (30 days)", "month to date", "cost by
-- type" and the trend's "other" line sum a few thousand of these rows instead of every bucket.
-- Triggers keep it exact in the same transaction as the bucket write, so dashboards never lag the
-- buckets and no refresh job exists to be forgotten. They are statement-level: one chunk of the
-- bucket writer (thousands of buckets, a few tenant-hours) becomes one small grouped upsert, and
-- rows are upserted in key order so two writers lock them in the same order.
-- buckets counts the service_costs rows behind a total, so a query can tell whether any bucket
-- outside a chosen set of services exists in an hour.
CREATE TABLE service_costs_tenant_hourly (
    tenant_id      text        NOT NULL,
    "timestamp"    timestamptz NOT NULL,
    cost_type      text        NOT NULL,
    cloud_provider text        NOT NULL,
    cost_usd       numeric     NOT NULL,
    buckets        bigint      NOT NULL,
    PRIMARY KEY (tenant_id, "timestamp", cost_type, cloud_provider)
);

CREATE FUNCTION service_costs_tenant_hourly_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO service_costs_tenant_hourly AS t (tenant_id, "timestamp", cost_type, cloud_provider, cost_usd, buckets)
        SELECT tenant_id, "timestamp", cost_type, cloud_provider, sum(cost_usd), count(*)
        FROM new_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (tenant_id, "timestamp", cost_type, cloud_provider) DO UPDATE
        SET cost_usd = t.cost_usd + EXCLUDED.cost_usd, buckets = t.buckets + EXCLUDED.buckets;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO service_costs_tenant_hourly AS t (tenant_id, "timestamp", cost_type, cloud_provider, cost_usd, buckets)
        SELECT tenant_id, "timestamp", cost_type, cloud_provider, sum(cost_usd), sum(buckets)
        FROM (SELECT tenant_id, "timestamp", cost_type, cloud_provider, cost_usd, 1 AS buckets FROM new_rows
              UNION ALL
              SELECT tenant_id, "timestamp", cost_type, cloud_provider, -cost_usd, -1 FROM old_rows) d
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (tenant_id, "timestamp", cost_type, cloud_provider) DO UPDATE
        SET cost_usd = t.cost_usd + EXCLUDED.cost_usd, buckets = t.buckets + EXCLUDED.buckets;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO service_costs_tenant_hourly AS t (tenant_id, "timestamp", cost_type, cloud_provider, cost_usd, buckets)
        SELECT tenant_id, "timestamp", cost_type, cloud_provider, -sum(cost_usd), -count(*)
        FROM old_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (tenant_id, "timestamp", cost_type, cloud_provider) DO UPDATE
        SET cost_usd = t.cost_usd + EXCLUDED.cost_usd, buckets = t.buckets + EXCLUDED.buckets;
    ELSE
        TRUNCATE service_costs_tenant_hourly;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER service_costs_tenant_hourly_insert AFTER INSERT ON service_costs
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION service_costs_tenant_hourly_apply();
CREATE TRIGGER service_costs_tenant_hourly_update AFTER UPDATE ON service_costs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION service_costs_tenant_hourly_apply();
CREATE TRIGGER service_costs_tenant_hourly_delete AFTER DELETE ON service_costs
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION service_costs_tenant_hourly_apply();
CREATE TRIGGER service_costs_tenant_hourly_truncate AFTER TRUNCATE ON service_costs
    FOR EACH STATEMENT EXECUTE FUNCTION service_costs_tenant_hourly_apply();

-- Creating the triggers locked service_costs against writes until this migration commits, so the
-- backfill below and the triggers together count every bucket exactly once.
INSERT INTO service_costs_tenant_hourly (tenant_id, "timestamp", cost_type, cloud_provider, cost_usd, buckets)
SELECT tenant_id, "timestamp", cost_type, cloud_provider, sum(cost_usd), count(*)
FROM service_costs GROUP BY 1, 2, 3, 4;

GRANT SELECT ON service_costs_tenant_hourly TO grafana_reader;
