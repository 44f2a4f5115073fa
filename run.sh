#!/usr/bin/env bash
# Starts CloudSentinel: a silo, the gateway on :3030 and the synthetic demo feed.
# Without ConnectionStrings__Postgres it starts a throwaway PostgreSQL under .data/ (if the
# server binaries are installed). Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

command -v dotnet >/dev/null || { echo "dotnet (the .NET 10 SDK) is required: https://dotnet.microsoft.com/download" >&2; exit 1; }

PIDS=()
cleanup() {
  trap - EXIT INT TERM
  echo
  echo "==> stopping"
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if declare -F pg_throwaway_stop >/dev/null; then pg_throwaway_stop; fi
}
trap cleanup EXIT INT TERM

if [ -z "${ConnectionStrings__Postgres:-}" ]; then
  source scripts/pg.sh
  if pg_throwaway_start pg-run; then
    psql "postgresql://postgres@127.0.0.1:$PG_PORT/postgres" -qAtc "CREATE DATABASE cloudsentinel" >/dev/null
    export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=cloudsentinel"
    echo "==> PostgreSQL: $ConnectionStrings__Postgres"
  else
    echo "==> no PostgreSQL: running on in-memory storage (data is lost when the silo stops)" >&2
  fi
fi

echo "==> building (Release)"
dotnet build src/Silo -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet build src/Gateway -c Release -nologo -v quiet -clp:ErrorsOnly

mkdir -p .run
echo "==> starting silo (logs: .run/silo.log)"
(cd src/Silo/bin/Release/net10.0 && exec dotnet CloudSentinel.Silo.dll) > .run/silo.log 2>&1 &
PIDS+=($!)

echo "==> starting gateway on http://127.0.0.1:3030 with the synthetic feed (logs: .run/gateway.log)"
(cd src/Gateway/bin/Release/net10.0 && Synthetic__Enabled=${Synthetic__Enabled:-true} exec dotnet CloudSentinel.Gateway.dll) > .run/gateway.log 2>&1 &
PIDS+=($!)

for _ in $(seq 1 90); do
  if curl -fsS http://127.0.0.1:3030/readyz >/dev/null 2>&1; then break; fi
  for pid in "${PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "a process exited early; see .run/*.log" >&2; tail -20 .run/silo.log .run/gateway.log >&2; exit 1; }
  done
  sleep 1
done

cat <<MSG
==> CloudSentinel is running
    metrics:  curl http://127.0.0.1:3030/api/cloudsentinel/prometheus
    ingest:   curl -X POST --data-binary @records.json http://127.0.0.1:3030/api/cloudsentinel/ingest
    health:   curl http://127.0.0.1:3030/readyz
    Ctrl-C stops everything.
MSG
tail -n +1 -F .run/silo.log .run/gateway.log &
PIDS+=($!)
wait "${PIDS[0]}"
