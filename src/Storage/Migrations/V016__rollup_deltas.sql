-- Rollups without shared-row contention (issue 20). The statement-level triggers of V004 and V012
-- upserted the tenant-hourly and service-daily rollup rows in the writer's transaction: every writer
-- of a tenant locked the same rows, held them until its commit, and the insert and update triggers
-- of one statement took them in different orders, so two writers of one tenant could deadlock.
-- Now the triggers only APPEND deltas (no key, no conflict, no lock on a shared row), and one
-- folder at a time (service_costs_fold_rollups, under an advisory lock, called about once a second
-- by every gateway and silo: whichever gets the lock folds) moves them into the folded tables.
-- service_costs_tenant_hourly and service_costs_service_daily become views of folded + pending
-- deltas, so a reader sees exactly the buckets committed as of its snapshot, as before: the folder
-- deletes deltas and adds them to the folded rows in one transaction.

ALTER TABLE service_costs_tenant_hourly RENAME TO service_costs_tenant_hourly_folded;
ALTER TABLE service_costs_service_daily RENAME TO service_costs_service_daily_folded;

CREATE TABLE service_costs_tenant_hourly_deltas (
    tenant_id      text        NOT NULL,
    "timestamp"    timestamptz NOT NULL,
    cost_type      text        NOT NULL,
    cloud_provider text        NOT NULL,
    cost_usd       numeric     NOT NULL,
    buckets        bigint      NOT NULL
);
CREATE INDEX service_costs_tenant_hourly_deltas_key ON service_costs_tenant_hourly_deltas (tenant_id, "timestamp");

CREATE TABLE service_costs_service_daily_deltas (
    tenant_id    text    NOT NULL,
    day          date    NOT NULL,
    service_name text    NOT NULL,
    cost_usd     numeric NOT NULL,
    buckets      bigint  NOT NULL
);
CREATE INDEX service_costs_service_daily_deltas_key ON service_costs_service_daily_deltas (tenant_id, day);

DROP TRIGGER service_costs_tenant_hourly_insert ON service_costs;
DROP TRIGGER service_costs_tenant_hourly_update ON service_costs;
DROP TRIGGER service_costs_tenant_hourly_delete ON service_costs;
DROP TRIGGER service_costs_tenant_hourly_truncate ON service_costs;
DROP TRIGGER service_costs_service_daily_insert ON service_costs;
DROP TRIGGER service_costs_service_daily_update ON service_costs;
DROP TRIGGER service_costs_service_daily_delete ON service_costs;
DROP TRIGGER service_costs_service_daily_truncate ON service_costs;
DROP FUNCTION service_costs_tenant_hourly_apply();
DROP FUNCTION service_costs_service_daily_apply();

-- One function for both rollups: each statement reads its transition tables once per rollup and
-- appends one grouped row per touched key. An update that changes no amount (a resend) nets to
-- zero and appends nothing.
CREATE FUNCTION service_costs_rollup_deltas() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO service_costs_tenant_hourly_deltas (tenant_id, "timestamp", cost_type, cloud_provider, cost_usd, buckets)
        SELECT tenant_id, "timestamp", cost_type, cloud_provider, sum(cost_usd), count(*)
        FROM new_rows GROUP BY 1, 2, 3, 4;
        INSERT INTO service_costs_service_daily_deltas (tenant_id, day, service_name, cost_usd, buckets)
        SELECT tenant_id, ("timestamp" AT TIME ZONE 'UTC')::date, service_name, sum(cost_usd), count(*)
        FROM new_rows GROUP BY 1, 2, 3;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO service_costs_tenant_hourly_deltas (tenant_id, "timestamp", cost_type, cloud_provider, cost_usd, buckets)
        SELECT tenant_id, "timestamp", cost_type, cloud_provider, sum(cost_usd), sum(buckets)
        FROM (SELECT tenant_id, "timestamp", cost_type, cloud_provider, cost_usd, 1 AS buckets FROM new_rows
              UNION ALL
              SELECT tenant_id, "timestamp", cost_type, cloud_provider, -cost_usd, -1 FROM old_rows) d
        GROUP BY 1, 2, 3, 4
        HAVING sum(cost_usd) <> 0 OR sum(buckets) <> 0;
        INSERT INTO service_costs_service_daily_deltas (tenant_id, day, service_name, cost_usd, buckets)
        SELECT tenant_id, day, service_name, sum(cost_usd), sum(buckets)
        FROM (SELECT tenant_id, ("timestamp" AT TIME ZONE 'UTC')::date AS day, service_name, cost_usd, 1 AS buckets FROM new_rows
              UNION ALL
              SELECT tenant_id, ("timestamp" AT TIME ZONE 'UTC')::date, service_name, -cost_usd, -1 FROM old_rows) d
        GROUP BY 1, 2, 3
        HAVING sum(cost_usd) <> 0 OR sum(buckets) <> 0;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO service_costs_tenant_hourly_deltas (tenant_id, "timestamp", cost_type, cloud_provider, cost_usd, buckets)
        SELECT tenant_id, "timestamp", cost_type, cloud_provider, -sum(cost_usd), -count(*)
        FROM old_rows GROUP BY 1, 2, 3, 4;
        INSERT INTO service_costs_service_daily_deltas (tenant_id, day, service_name, cost_usd, buckets)
        SELECT tenant_id, ("timestamp" AT TIME ZONE 'UTC')::date, service_name, -sum(cost_usd), -count(*)
        FROM old_rows GROUP BY 1, 2, 3;
    ELSE
        TRUNCATE service_costs_tenant_hourly_folded, service_costs_tenant_hourly_deltas,
                 service_costs_service_daily_folded, service_costs_service_daily_deltas;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER service_costs_rollups_insert AFTER INSERT ON service_costs
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION service_costs_rollup_deltas();
CREATE TRIGGER service_costs_rollups_update AFTER UPDATE ON service_costs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION service_costs_rollup_deltas();
CREATE TRIGGER service_costs_rollups_delete AFTER DELETE ON service_costs
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION service_costs_rollup_deltas();
CREATE TRIGGER service_costs_rollups_truncate AFTER TRUNCATE ON service_costs
    FOR EACH STATEMENT EXECUTE FUNCTION service_costs_rollup_deltas();

-- The names dashboards, the console and users' queries read: folded rows plus what is pending.
-- Filters on the key columns reach both tables' indexes through the GROUP BY. security_invoker,
-- so the row-level security of the tables below applies to whoever reads them.
CREATE VIEW service_costs_tenant_hourly WITH (security_invoker = true) AS
SELECT tenant_id, "timestamp", cost_type, cloud_provider, sum(cost_usd) AS cost_usd, sum(buckets)::bigint AS buckets
FROM (SELECT tenant_id, "timestamp", cost_type, cloud_provider, cost_usd, buckets FROM service_costs_tenant_hourly_folded
      UNION ALL
      SELECT tenant_id, "timestamp", cost_type, cloud_provider, cost_usd, buckets FROM service_costs_tenant_hourly_deltas) r
GROUP BY tenant_id, "timestamp", cost_type, cloud_provider;

CREATE VIEW service_costs_service_daily WITH (security_invoker = true) AS
SELECT tenant_id, day, service_name, sum(cost_usd) AS cost_usd, sum(buckets)::bigint AS buckets
FROM (SELECT tenant_id, day, service_name, cost_usd, buckets FROM service_costs_service_daily_folded
      UNION ALL
      SELECT tenant_id, day, service_name, cost_usd, buckets FROM service_costs_service_daily_deltas) r
GROUP BY tenant_id, day, service_name;

-- Moves every committed delta into the folded tables, in key order, in the caller's transaction.
-- Only one caller at a time folds (the others return -1 at once); writers never touch folded rows,
-- so the folder waits for nobody and nobody waits for it. Returns the delta rows folded.
CREATE FUNCTION service_costs_fold_rollups() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    _hourly bigint;
    _daily bigint;
BEGIN
    -- "CSfold": a key of its own (SchemaMigrator holds "CloudSen").
    IF NOT pg_try_advisory_xact_lock(74025479924836) THEN
        RETURN -1;
    END IF;
    WITH d AS (DELETE FROM service_costs_tenant_hourly_deltas RETURNING *)
    INSERT INTO service_costs_tenant_hourly_folded AS t (tenant_id, "timestamp", cost_type, cloud_provider, cost_usd, buckets)
    SELECT tenant_id, "timestamp", cost_type, cloud_provider, sum(cost_usd), sum(buckets)
    FROM d GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (tenant_id, "timestamp", cost_type, cloud_provider) DO UPDATE
    SET cost_usd = t.cost_usd + EXCLUDED.cost_usd, buckets = t.buckets + EXCLUDED.buckets;
    GET DIAGNOSTICS _hourly = ROW_COUNT;
    WITH d AS (DELETE FROM service_costs_service_daily_deltas RETURNING *)
    INSERT INTO service_costs_service_daily_folded AS t (tenant_id, day, service_name, cost_usd, buckets)
    SELECT tenant_id, day, service_name, sum(cost_usd), sum(buckets)
    FROM d GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (tenant_id, day, service_name) DO UPDATE
    SET cost_usd = t.cost_usd + EXCLUDED.cost_usd, buckets = t.buckets + EXCLUDED.buckets;
    GET DIAGNOSTICS _daily = ROW_COUNT;
    RETURN _hourly + _daily;
END
$$;

-- Same isolation as the folded tables (V009, V012), which keep their policies under the new names.
GRANT SELECT ON service_costs_tenant_hourly_deltas, service_costs_service_daily_deltas,
    service_costs_tenant_hourly, service_costs_service_daily TO grafana_reader, cloudsentinel_tenants;
ALTER TABLE service_costs_tenant_hourly_deltas ENABLE ROW LEVEL SECURITY;
CREATE POLICY all_tenants ON service_costs_tenant_hourly_deltas FOR SELECT TO grafana_reader USING (true);
CREATE POLICY own_tenant ON service_costs_tenant_hourly_deltas FOR SELECT TO cloudsentinel_tenants
    USING (tenant_id = ANY (CAST((SELECT cloudsentinel_visible_tenants()) AS text[])));
ALTER TABLE service_costs_service_daily_deltas ENABLE ROW LEVEL SECURITY;
CREATE POLICY all_tenants ON service_costs_service_daily_deltas FOR SELECT TO grafana_reader USING (true);
CREATE POLICY own_tenant ON service_costs_service_daily_deltas FOR SELECT TO cloudsentinel_tenants
    USING (tenant_id = ANY (CAST((SELECT cloudsentinel_visible_tenants()) AS text[])));
