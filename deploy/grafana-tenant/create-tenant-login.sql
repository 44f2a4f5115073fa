-- A Grafana organization of one tenant: a LOGIN role that holds the tenant's row-level-security role,
-- so its datasource (datasource.yml beside this file) sees only that tenant's rows.
-- Run as the owner of the database (or a superuser), for example:
--   psql "$DATABASE_URL" -v tenant=acme -v password="'…'" -f deploy/grafana-tenant/create-tenant-login.sql
-- The tenant's role exists once it has a token or data; cloudsentinel_ensure_tenant_role makes sure.
SELECT cloudsentinel_ensure_tenant_role(:'tenant') AS tenant_role \gset
SELECT format('grafana_%s', replace(:'tenant', '-', '_')) AS login \gset
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE %I', :'login', :password, :'tenant_role')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'login') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), :'login') \gexec
