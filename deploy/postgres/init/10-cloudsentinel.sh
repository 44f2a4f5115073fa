#!/usr/bin/env bash
# Runs once when the PostgreSQL data volume is empty (docker-entrypoint-initdb.d). Creates the
# application database, the role that owns it (the silo and gateway apply the migrations in
# src/Storage/Migrations as that role) and grafana_reader's login, with passwords taken from the
# environment so that none is ever committed. Safe to run twice: roles are created or updated.
# The migrations grant grafana_reader SELECT on the cost tables; here it only gets to log in.
set -euo pipefail

: "${CLOUDSENTINEL_DB_NAME:?CLOUDSENTINEL_DB_NAME is not set}"
: "${CLOUDSENTINEL_DB_USER:?CLOUDSENTINEL_DB_USER is not set}"
: "${CLOUDSENTINEL_DB_PASSWORD:?CLOUDSENTINEL_DB_PASSWORD is not set}"
: "${GRAFANA_DB_PASSWORD:?GRAFANA_DB_PASSWORD is not set}"

# psql variables (:'name', :"name") quote the values, so passwords may contain any character.
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  -v db="$CLOUDSENTINEL_DB_NAME" \
  -v app_user="$CLOUDSENTINEL_DB_USER" \
  -v app_password="$CLOUDSENTINEL_DB_PASSWORD" \
  -v reader_password="$GRAFANA_DB_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I', :'app_user')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app_user') \gexec
ALTER ROLE :"app_user" LOGIN PASSWORD :'app_password';

SELECT 'CREATE ROLE grafana_reader'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grafana_reader') \gexec
ALTER ROLE grafana_reader LOGIN PASSWORD :'reader_password' NOSUPERUSER NOCREATEDB NOCREATEROLE;

SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'app_user')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec

-- Only the application and Grafana may connect to the cost database.
REVOKE CONNECT ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"app_user", grafana_reader;
SQL
