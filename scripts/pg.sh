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

# Ports from 15432 on: below the kernel's ephemeral range (32768-60999 on Linux), so no outgoing
# connection of a test can hold the port a server is about to bind. A port is free when nothing
# listens on it and no socket is bound to it.
pg_free_port() {
  local port
  for port in $(seq "${1:-15432}" 15531); do
    (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && continue
    if command -v ss >/dev/null 2>&1 && [ -n "$(ss -Htan "( sport = :$port )" 2>/dev/null)" ]; then continue; fi
    echo "$port"; return 0
  done
  echo "no free loopback port in ${1:-15432}-15531" >&2
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

  "${run_as[@]}" "$initdb_bin" -D "$PG_DATA_DIR" -U postgres --auth=trust -E UTF8 --no-locale >"$PG_DATA_DIR.initdb.log" 2>&1 \
    || { cat "$PG_DATA_DIR.initdb.log" >&2; return 1; }
  local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${PG_DURABLE:-0}" = 1 ] && durability=""
  # Another test process may take the same free port between the check and the bind: then the next one.
  local attempt from=15432
  for attempt in 1 2 3 4 5; do
    PG_PORT=$(pg_free_port "$from") || return 1
    echo "==> starting throwaway PostgreSQL ($name) in $PG_DATA_DIR on 127.0.0.1:$PG_PORT"
    rm -f "$PG_DATA_DIR/server.log"
    if "${run_as[@]}" "$pg_ctl_bin" -D "$PG_DATA_DIR" -w -t 60 -l "$PG_DATA_DIR/server.log" \
      -o "-h 127.0.0.1 -p $PG_PORT -k $PG_DATA_DIR $durability -c shared_buffers=256MB ${PG_OPTIONS:-}" start >/dev/null; then
      break
    fi
    if [ "$attempt" = 5 ] || ! grep -q "Address already in use" "$PG_DATA_DIR/server.log"; then
      cat "$PG_DATA_DIR/server.log" >&2; return 1
    fi
    from=$((PG_PORT + 1))
  done
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
