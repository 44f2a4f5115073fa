#!/usr/bin/env bash
# Throwaway PostgreSQL for ./run.sh and ./test.sh, built from the installed server binaries.
# Source this file, then: pg_throwaway_start NAME  -> exports PG_URL (Npgsql connection string)
#                         pg_throwaway_stop        -> stops what pg_throwaway_start started
# The server keeps PostgreSQL's stock limits (max_connections = 100), so every run proves that
# CloudSentinel fits them. PG_DURABLE=1 keeps fsync and synchronous_commit on, as users run it
# (./run.sh and the benchmarks); tests turn them off for speed, since a kill -9 of a process (which
# the fault tests do) loses nothing from the OS page cache either way. PG_OPTIONS adds server
# options for diagnosis (e.g. "-c shared_preload_libraries=pg_stat_statements"); nothing sets it.
set -euo pipefail

PG_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

pg_find_bin() {
  local name=$1
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
  local candidate
  for candidate in /usr/lib/postgresql/*/bin/"$name"; do
    [ -x "$candidate" ] && { echo "$candidate"; return 0; }
  done
  return 1
}

pg_free_port() {
  local port
  for port in $(seq 55432 55532); do
    if ! (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "$port"; return 0; fi
  done
  echo "no free loopback port in 55432-55532" >&2
  return 1
}

pg_throwaway_start() {
  local name=${1:-pg}
  local initdb_bin pg_ctl_bin
  if ! initdb_bin=$(pg_find_bin initdb) || ! pg_ctl_bin=$(pg_find_bin pg_ctl); then
    echo "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or under /usr/lib/postgresql/*/bin." >&2
    echo "Install them (Debian: apt-get install postgresql-15) or set ConnectionStrings__Postgres." >&2
    return 1
  fi

  PG_DATA_DIR="$PG_REPO_ROOT/.data/$name"
  local run_as=()
  if [ "$(id -u)" = "0" ]; then
    # initdb refuses to run as root; the postgres system user owns the throwaway cluster.
    if ! id postgres >/dev/null 2>&1; then
      echo "running as root but there is no 'postgres' user to own the throwaway cluster" >&2
      return 1
    fi
    run_as=(runuser -u postgres --)
    mkdir -p "$PG_REPO_ROOT/.data"
    if ! runuser -u postgres -- test -x "$PG_REPO_ROOT/.data"; then
      PG_DATA_DIR="$(mktemp -d /tmp/cloudsentinel-$name.XXXXXX)/data"
    fi
  fi

  if [ -f "$PG_DATA_DIR/postmaster.pid" ]; then
    "${run_as[@]}" "$pg_ctl_bin" -D "$PG_DATA_DIR" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_DATA_DIR"
  mkdir -p "$PG_DATA_DIR"
  [ ${#run_as[@]} -gt 0 ] && chown postgres "$PG_DATA_DIR"

  PG_PORT=$(pg_free_port)
  echo "==> starting throwaway PostgreSQL ($name) in $PG_DATA_DIR on 127.0.0.1:$PG_PORT"
  "${run_as[@]}" "$initdb_bin" -D "$PG_DATA_DIR" -U postgres --auth=trust -E UTF8 --no-locale >"$PG_DATA_DIR.initdb.log" 2>&1 \
    || { cat "$PG_DATA_DIR.initdb.log" >&2; return 1; }
  local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${PG_DURABLE:-0}" = 1 ] && durability=""
  "${run_as[@]}" "$pg_ctl_bin" -D "$PG_DATA_DIR" -w -t 60 -l "$PG_DATA_DIR/server.log" \
    -o "-h 127.0.0.1 -p $PG_PORT -k $PG_DATA_DIR $durability -c shared_buffers=256MB ${PG_OPTIONS:-}" start >/dev/null \
    || { cat "$PG_DATA_DIR/server.log" >&2; return 1; }
  PG_CTL_BIN="$pg_ctl_bin"
  PG_RUN_AS=("${run_as[@]}")
  export PG_URL="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
}

pg_throwaway_stop() {
  if [ -n "${PG_DATA_DIR:-}" ] && [ -f "$PG_DATA_DIR/postmaster.pid" ]; then
    "${PG_RUN_AS[@]}" "$PG_CTL_BIN" -D "$PG_DATA_DIR" -m fast stop >/dev/null 2>&1 || true
  fi
}

pg_create_database() {
  local db=$1
  psql "postgresql://postgres@127.0.0.1:$PG_PORT/postgres" -qAtc "CREATE DATABASE $db" >/dev/null
}
