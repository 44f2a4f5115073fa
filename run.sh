#!/usr/bin/env bash
# Starts CloudSentinel: CLOUDSENTINEL_SILOS silos (default 1), the gateway on :3030 and the
# synthetic demo feed. Without ConnectionStrings__Postgres it starts a throwaway PostgreSQL under
# .data/ (if the server binaries are installed) with durable settings and stock limits. Silos and
# the gateway find each other through PostgreSQL membership. PIDs: .run/silo-N.pid, .run/gateway.pid.
# Ctrl-C stops everything this script started; a silo that dies is reported and the rest keep running.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

command -v dotnet >/dev/null || { echo "dotnet (the .NET 10 SDK) is required: https://dotnet.microsoft.com/download" >&2; exit 1; }
SILOS=${CLOUDSENTINEL_SILOS:-1}
[[ "$SILOS" =~ ^[1-9][0-9]?$ ]] || { echo "CLOUDSENTINEL_SILOS must be 1 to 99, not '$SILOS'" >&2; exit 1; }

PIDS=()
cleanup() {
  trap - EXIT INT TERM
  echo
  echo "==> stopping"
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -f .run/*.pid
  if declare -F pg_throwaway_stop >/dev/null; then pg_throwaway_stop; fi
}
trap cleanup EXIT INT TERM

# Sets PORT to the first free loopback port from $1 that this script has not handed out yet.
free_port() {
  local port
  for port in $(seq "$1" $(($1 + 500))); do
    if ! (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && [[ " ${USED_PORTS[*]:-} " != *" $port "* ]]; then
      USED_PORTS+=("$port"); PORT=$port; return 0
    fi
  done
  echo "no free loopback port from $1" >&2; return 1
}

if [ -z "${ConnectionStrings__Postgres:-}" ]; then
  source scripts/pg.sh
  if PG_DURABLE=1 pg_throwaway_start pg-run; then
    psql "postgresql://postgres@127.0.0.1:$PG_PORT/postgres" -qAtc "CREATE DATABASE cloudsentinel" >/dev/null
    export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=cloudsentinel"
    echo "==> PostgreSQL: $ConnectionStrings__Postgres"
  else
    echo "==> no PostgreSQL: running on in-memory storage (data is lost when the silo stops)" >&2
    [ "$SILOS" = 1 ] || { echo "CLOUDSENTINEL_SILOS=$SILOS needs PostgreSQL (membership lives there)" >&2; exit 1; }
  fi
fi

echo "==> building (Release)"
dotnet build src/Silo -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet build src/Gateway -c Release -nologo -v quiet -clp:ErrorsOnly

mkdir -p .run
rm -f .run/*.pid .run/console.url
# So that a silo can be started again by hand with the same database (README: "Two commands").
printf '%s\n' "${ConnectionStrings__Postgres:-}" > .run/postgres.conn
# The admin token: from Auth__AdminToken when set, else a fresh random one. Only this user can read the file.
if [ -z "${Auth__AdminToken:-}" ]; then
  Auth__AdminToken="csa_$(head -c 36 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
fi
export Auth__AdminToken
(umask 077 && printf '%s\n' "$Auth__AdminToken" > .run/admin.token)
chmod 600 .run/admin.token
# glibc's malloc with two arenas rather than eight per core: freed native memory is reused, and a silo's
# RSS stays ~10 MB lower and flat (docs/durability.md, "Memory").
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
USED_PORTS=()
SILO_NAMES=()
GATEWAYS=()
for n in $(seq 1 "$SILOS"); do
  free_port 11111; silo_port=$PORT
  free_port 30000; gateway_port=$PORT
  echo "==> starting silo-$n (silo port $silo_port, gateway port $gateway_port; logs: .run/silo-$n.log)"
  (cd src/Silo/bin/Release/net10.0 && Orleans__SiloPort=$silo_port Orleans__GatewayPort=$gateway_port exec dotnet CloudSentinel.Silo.dll) > .run/silo-$n.log 2>&1 &
  PIDS+=($!); echo $! > .run/silo-$n.pid; SILO_NAMES+=("silo-$n")
  GATEWAYS+=("127.0.0.1:$gateway_port")
done

echo "==> starting gateway on http://127.0.0.1:3030 with the synthetic feed (logs: .run/gateway.log)"
# The static list is only read in the in-memory mode; with PostgreSQL the gateway reads membership.
# Fifteen days of demo history: two whole weeks, so the console's "last 7 days against the 7 before" has both.
(cd src/Gateway/bin/Release/net10.0 && Orleans__Gateways__0=${GATEWAYS[0]} Synthetic__Enabled=${Synthetic__Enabled:-true} \
  Synthetic__BackfillDays=${Synthetic__BackfillDays:-15} exec dotnet CloudSentinel.Gateway.dll) > .run/gateway.log 2>&1 &
GATEWAY_PID=$!
PIDS+=($GATEWAY_PID); echo $GATEWAY_PID > .run/gateway.pid

for _ in $(seq 1 120); do
  if curl -fsS http://127.0.0.1:3030/readyz >/dev/null 2>&1; then break; fi
  for pid in "${PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "a process exited early; see .run/*.log" >&2; tail -20 .run/*.log >&2; exit 1; }
  done
  sleep 1
done

# The console's one-time login link (10 minutes, single use), like Jupyter's: only this user can read the file.
CONSOLE_URL=$(curl -fsS -d "{}" -H "Authorization: Bearer $Auth__AdminToken" http://127.0.0.1:3030/api/cloudsentinel/console/login-links \
  | sed -n 's/.*"url":"\([^"]*\)".*/\1/p' || true)
if [ -n "$CONSOLE_URL" ]; then
  (umask 077 && printf '%s\n' "$CONSOLE_URL" > .run/console.url)
  chmod 600 .run/console.url
else
  echo "==> could not create a console login link; see .run/gateway.log" >&2
fi

cat <<MSG
==> CloudSentinel is running: $SILOS silo(s) and the gateway
    console:  ${CONSOLE_URL:-(no login link)}
              one-time login link, valid 10 minutes (also in .run/console.url); a new one:
              curl -X POST -H "Authorization: Bearer \$CLOUDSENTINEL_TOKEN" http://127.0.0.1:3030/api/cloudsentinel/console/login-links
    admin token (mode 600): .run/admin.token; every /api/cloudsentinel call needs it or a tenant token:
              export CLOUDSENTINEL_TOKEN=\$(cat .run/admin.token)
    metrics:  curl -H "Authorization: Bearer \$CLOUDSENTINEL_TOKEN" http://127.0.0.1:3030/api/cloudsentinel/prometheus
    ingest:   curl -H "Authorization: Bearer \$CLOUDSENTINEL_TOKEN" --data-binary @records.json http://127.0.0.1:3030/api/cloudsentinel/ingest
    tokens:   curl -H "Authorization: Bearer \$CLOUDSENTINEL_TOKEN" -d '{"tenant":"acme","roles":["ingest","read"]}' http://127.0.0.1:3030/api/cloudsentinel/tokens
    health:   curl http://127.0.0.1:3030/readyz
    pids:     .run/silo-1.pid ... .run/silo-$SILOS.pid, .run/gateway.pid
    Ctrl-C stops everything.
MSG
tail -n +1 -F .run/*.log &
TAIL_PID=$!
PIDS+=($TAIL_PID)

# Watch the processes: a dead silo is reported and the others carry on (its grains move to the
# survivors); the gateway going away ends the run.
declare -A REPORTED=()
while kill -0 "$GATEWAY_PID" 2>/dev/null; do
  for n in $(seq 1 "$SILOS"); do
    pid=$(cat ".run/silo-$n.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && [ -z "${REPORTED[$n]:-}" ]; then
      REPORTED[$n]=1
      alive=0
      for m in $(seq 1 "$SILOS"); do p=$(cat ".run/silo-$m.pid" 2>/dev/null || true); [ -n "$p" ] && kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
      echo "==> silo-$n (pid $pid) has stopped; $alive silo(s) keep running and take over its grains. See .run/silo-$n.log" >&2
    fi
  done
  sleep 1
done
echo "==> the gateway has stopped; see .run/gateway.log" >&2
