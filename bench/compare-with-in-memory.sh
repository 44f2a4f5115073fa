#!/usr/bin/env bash
# The durable ingest path against the in-memory stream it replaced (issue 9), in one script:
# checks out the last in-memory commit (ff099d5) as a git worktree, gives its benchmark the two
# things the durable side has (PostgreSQL with fsync and synchronous_commit on, and the same
# completion check: the tenant-hourly rollup's bucket count instead of counting service_costs), builds
# both in Release, and runs `bench -- ingest` for each, alternating, PAIRS times (default 3).
# The old code needs max_connections 300 (it opens more than 100 connections); the new runs on the
# stock 100. Prints each run's end-to-end, acknowledged and CPU lines; BENCHMARKS.md is left as it was.
# Usage: bench/compare-with-in-memory.sh [PAIRS]
set -euo pipefail

pairs=${1:-3}
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
old=${CLOUDSENTINEL_OLD_TREE:-/tmp/cloudsentinel-in-memory}
old_commit=ff099d5

if [ ! -d "$old/.git" ] && [ ! -f "$old/.git" ]; then
  echo "==> checking out $old_commit (the in-memory stream) into $old"
  git -C "$repo" worktree add --detach "$old" "$old_commit" >/dev/null
fi
# The old benchmark's server was fast and loose (fsync off); users run it durable.
sed -i 's/-c fsync=off -c synchronous_commit=off -c full_page_writes=off //' "$old/scripts/pg.sh"
sed -i 's/const string countRows = "SELECT count(\*) FROM service_costs";/const string countRows = "SELECT coalesce(sum(buckets), 0) FROM service_costs_tenant_hourly";/' \
  "$old/bench/IngestBenchmark.cs"
grep -q 'service_costs_tenant_hourly' "$old/bench/IngestBenchmark.cs" || { echo "could not patch $old/bench/IngestBenchmark.cs" >&2; exit 1; }

for tree in "$old" "$repo"; do
  echo "==> building $tree (Release)"
  (cd "$tree" && dotnet build -c Release bench/CloudSentinel.Bench.csproj -v q -nologo >/dev/null && dotnet build -c Release src/Silo -v q -nologo >/dev/null)
done

cp "$repo/BENCHMARKS.md" "$repo/.BENCHMARKS.md.compare"
trap 'mv "$repo/.BENCHMARKS.md.compare" "$repo/BENCHMARKS.md"' EXIT
for pair in $(seq 1 "$pairs"); do
  for tree in "$old" "$repo"; do
    label=durable; [ "$tree" = "$old" ] && label=in-memory
    echo "== pair $pair/$pairs, $label, $(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1 /proc/loadavg)"
    (cd "$tree" && timeout 1200 dotnet run -c Release --no-build --project bench -- ingest 2>&1) \
      | grep -E "end to end,|acknowledged by|CPU during" || { echo "the $label run failed" >&2; exit 1; }
  done
done
