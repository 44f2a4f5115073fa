#!/usr/bin/env bash
# Runs every test of the solution against real services: a throwaway PostgreSQL started here
# (unless CLOUDSENTINEL_TEST_PG points at one), Debian's Prometheus/promtool and Debian's chromium
# for the console's browser tests (both installed here when running as root). The last line is "N passed, N failed, N skipped" from the real results.
set -uo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

fail() { echo "test.sh: $*" >&2; echo "0 passed, 1 failed, 0 skipped"; exit 1; }

command -v dotnet >/dev/null || fail "dotnet (the .NET 10 SDK) is not installed"

if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "==> installing Prometheus and promtool (Debian package 'prometheus')"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus) >/tmp/cloudsentinel-apt.log 2>&1 \
      || fail "apt-get install prometheus failed; see /tmp/cloudsentinel-apt.log"
  else
    fail "prometheus and promtool are required (Debian: sudo apt-get install prometheus)"
  fi
fi

# The console's browser tests drive Debian's chromium headless (CHROMIUM_PATH points at another build).
if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "==> installing Chromium for the console's browser tests (Debian package 'chromium')"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/tmp/cloudsentinel-apt-chromium.log 2>&1 \
      || fail "apt-get install chromium failed; see /tmp/cloudsentinel-apt-chromium.log"
  else
    fail "chromium is required for the console's browser tests (Debian: sudo apt-get install chromium; or set CHROMIUM_PATH)"
  fi
fi

source scripts/pg.sh
STARTED_PG=0
if [ -z "${CLOUDSENTINEL_TEST_PG:-}" ]; then
  pg_throwaway_start pg-test || fail "could not start a throwaway PostgreSQL; install PostgreSQL 15 server binaries or set CLOUDSENTINEL_TEST_PG"
  export CLOUDSENTINEL_TEST_PG="$PG_URL"
  STARTED_PG=1
fi
stop_pg() { [ "$STARTED_PG" = 1 ] && pg_throwaway_stop; STARTED_PG=0; }
trap stop_pg EXIT

echo "==> building"
dotnet build CloudSentinel.sln -nologo -v quiet -clp:ErrorsOnly || fail "the build failed"

RESULTS="$ROOT/TestResults"
rm -rf "$RESULTS"
echo "==> testing"
dotnet test CloudSentinel.sln --no-build -nologo --logger "trx" --logger "console;verbosity=minimal" --results-directory "$RESULTS"
TEST_EXIT=$?
stop_pg

passed=0; failed=0; skipped=0; files=0
for trx in "$RESULTS"/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done

if [ "$files" = 0 ]; then
  echo "test.sh: no test results were written" >&2
  failed=$((failed + 1))
elif [ "$TEST_EXIT" != 0 ] && [ "$failed" = 0 ]; then
  echo "test.sh: dotnet test exited with $TEST_EXIT without a failed test (a test host crashed?)" >&2
  failed=1
fi
if [ "$skipped" != 0 ] && [ -n "${CI:-}" ]; then
  echo "test.sh: $skipped tests were skipped; CI counts them as failures" >&2
  failed=$((failed + skipped))
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
