-- Row-level security per tenant. Each tenant gets a NOLOGIN role (cloudsentinel_ensure_tenant_role,
-- called with the tenant's first token and first ingested data); a Grafana organization of one
-- tenant connects as a LOGIN role granted that role and sees only that tenant's rows in every table
-- Grafana reads. grafana_reader stays the all-tenants role of an admin organization. The
-- application's own user owns the tables and so is not subject to the policies.

-- Role names are cluster-wide and limited to 63 bytes: "cloudsentinel_tenant_" + the tenant when it
-- fits (tenants of up to 42 characters), else its first 33 characters, "_" and 8 hex digits of its
-- md5. tenant_roles maps each tenant to its role in this database.
CREATE TABLE tenant_roles (
    tenant_id  text PRIMARY KEY,
    role_name  name NOT NULL UNIQUE
);

-- The group every tenant role belongs to: SELECT on the tables, which the policies then narrow.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cloudsentinel_tenants') THEN
        CREATE ROLE cloudsentinel_tenants NOLOGIN;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

CREATE FUNCTION cloudsentinel_tenant_role_name(_tenant text) RETURNS name
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN length(_tenant) <= 42 THEN 'cloudsentinel_tenant_' || _tenant
                ELSE 'cloudsentinel_tenant_' || left(_tenant, 33) || '_' || left(md5(_tenant), 8) END::name
$$;

-- Idempotent and safe when two gateways or silos race for the same tenant.
CREATE FUNCTION cloudsentinel_ensure_tenant_role(_tenant text) RETURNS name
LANGUAGE plpgsql AS $$
DECLARE
    _role name := cloudsentinel_tenant_role_name(_tenant);
BEGIN
    IF EXISTS (SELECT 1 FROM tenant_roles WHERE tenant_id = _tenant) THEN
        RETURN _role;
    END IF;
    BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN IN ROLE cloudsentinel_tenants', _role);
    EXCEPTION
        WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    INSERT INTO tenant_roles (tenant_id, role_name) VALUES (_tenant, _role) ON CONFLICT DO NOTHING;
    RETURN _role;
END
$$;

-- The tenants whose role the current user holds (directly, through a LOGIN role granted it, or after
-- SET ROLE). It runs as the caller, since current_user is what it asks about; STABLE, and used as
-- (SELECT ...) in the policies, so it runs once per query, not once per row.
CREATE FUNCTION cloudsentinel_visible_tenants() RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(tr.tenant_id), '{}')
    FROM tenant_roles tr JOIN pg_roles r ON r.rolname = tr.role_name
    WHERE pg_has_role(current_user, r.oid, 'MEMBER')
$$;
GRANT SELECT ON tenant_roles TO cloudsentinel_tenants, grafana_reader;

DO $$
DECLARE
    _table text;
BEGIN
    FOREACH _table IN ARRAY ARRAY['service_costs', 'network_costs', 'storage_costs', 'pod_costs', 'shared_infrastructure_allocation',
                                  'cost_anomalies', 'budgets', 'cost_forecasts', 'service_costs_tenant_hourly']
    LOOP
        EXECUTE format('GRANT SELECT ON %I TO cloudsentinel_tenants', _table);
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', _table);
        EXECUTE format('CREATE POLICY all_tenants ON %I FOR SELECT TO grafana_reader USING (true)', _table);
        EXECUTE format('CREATE POLICY own_tenant ON %I FOR SELECT TO cloudsentinel_tenants USING (tenant_id = ANY (CAST((SELECT cloudsentinel_visible_tenants()) AS text[])))', _table);
    END LOOP;
END
$$;
