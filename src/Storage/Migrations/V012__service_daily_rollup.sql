-- Per-service daily totals for the console (issue 13): its top-services table and service list rank a
-- tenant's services by the last 7 days against the 7 before, and show each one's month to date. With
-- 10,000 services that is 10,000 × 14 rows here instead of ~17 million hourly buckets. Kept exact by
-- statement-level triggers in the same transaction as the bucket writes, as V004's tenant rollup is,
-- so the console never lags PostgreSQL and there is no refresh job. day is the UTC date of the hour.
CREATE TABLE service_costs_service_daily (
    tenant_id    text    NOT NULL,
    day          date    NOT NULL,
    service_name text    NOT NULL,
    cost_usd     numeric NOT NULL,
    buckets      bigint  NOT NULL,
    PRIMARY KEY (tenant_id, day, service_name)
);

CREATE FUNCTION service_costs_service_daily_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO service_costs_service_daily AS t (tenant_id, day, service_name, cost_usd, buckets)
        SELECT tenant_id, ("timestamp" AT TIME ZONE 'UTC')::date, service_name, sum(cost_usd), count(*)
        FROM new_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (tenant_id, day, service_name) DO UPDATE
        SET cost_usd = t.cost_usd + EXCLUDED.cost_usd, buckets = t.buckets + EXCLUDED.buckets;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO service_costs_service_daily AS t (tenant_id, day, service_name, cost_usd, buckets)
        SELECT tenant_id, day, service_name, sum(cost_usd), sum(buckets)
        FROM (SELECT tenant_id, ("timestamp" AT TIME ZONE 'UTC')::date AS day, service_name, cost_usd, 1 AS buckets FROM new_rows
              UNION ALL
              SELECT tenant_id, ("timestamp" AT TIME ZONE 'UTC')::date, service_name, -cost_usd, -1 FROM old_rows) d
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (tenant_id, day, service_name) DO UPDATE
        SET cost_usd = t.cost_usd + EXCLUDED.cost_usd, buckets = t.buckets + EXCLUDED.buckets;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO service_costs_service_daily AS t (tenant_id, day, service_name, cost_usd, buckets)
        SELECT tenant_id, ("timestamp" AT TIME ZONE 'UTC')::date, service_name, -sum(cost_usd), -count(*)
        FROM old_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (tenant_id, day, service_name) DO UPDATE
        SET cost_usd = t.cost_usd + EXCLUDED.cost_usd, buckets = t.buckets + EXCLUDED.buckets;
    ELSE
        TRUNCATE service_costs_service_daily;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER service_costs_service_daily_insert AFTER INSERT ON service_costs
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION service_costs_service_daily_apply();
CREATE TRIGGER service_costs_service_daily_update AFTER UPDATE ON service_costs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION service_costs_service_daily_apply();
CREATE TRIGGER service_costs_service_daily_delete AFTER DELETE ON service_costs
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION service_costs_service_daily_apply();
CREATE TRIGGER service_costs_service_daily_truncate AFTER TRUNCATE ON service_costs
    FOR EACH STATEMENT EXECUTE FUNCTION service_costs_service_daily_apply();

-- The triggers locked service_costs until this migration commits: backfill and triggers count every bucket once.
INSERT INTO service_costs_service_daily (tenant_id, day, service_name, cost_usd, buckets)
SELECT tenant_id, ("timestamp" AT TIME ZONE 'UTC')::date, service_name, sum(cost_usd), count(*)
FROM service_costs GROUP BY 1, 2, 3;

-- Same isolation as every other table with tenant rows (V009).
GRANT SELECT ON service_costs_service_daily TO grafana_reader, cloudsentinel_tenants;
ALTER TABLE service_costs_service_daily ENABLE ROW LEVEL SECURITY;
CREATE POLICY all_tenants ON service_costs_service_daily FOR SELECT TO grafana_reader USING (true);
CREATE POLICY own_tenant ON service_costs_service_daily FOR SELECT TO cloudsentinel_tenants
    USING (tenant_id = ANY (CAST((SELECT cloudsentinel_visible_tenants()) AS text[])));
