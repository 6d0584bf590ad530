#!/usr/bin/env bash
# Two builds served at once on their own copies of one seeded database, measured in short
# alternating runs per URL (a, b, a, b, …), so that drift in the machine's speed (a shared
# host) falls on both alike; prints the median requests/s of each side per URL.
#
#   BENCH_A=old/dangjian BENCH_B=new/dangjian [BENCH_DB_B=postgres://…] bench/interleave.sh
#
# Needs: wrk, curl, python3 (psql for a PostgreSQL side).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_DIR:-/tmp/bench-interleave}
RUNS=${BENCH_RUNS:-6}
DURATION=${BENCH_DURATION:-3s}
CONNS=${BENCH_CONNECTIONS:-32}
export DANGJIAN_ADMIN_PASSWORD=${DANGJIAN_ADMIN_PASSWORD:-bench-admin-2024}
export DANGJIAN_LOG=${DANGJIAN_LOG:-warn}
SEED=${BENCH_SEED:---societies 100000 --orgs 50000 --assignments 20000 --rectifications 20000}
rm -rf "$WORK" && mkdir -p "$WORK"
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
db_of() { local v=BENCH_DB_${1^^}; echo "${!v:-$WORK/$1.db}"; }
echo "machine: $(nproc) cores, $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true' EXIT
for side in a b; do
  bin_var=BENCH_${side^^}
  db=$(db_of $side)
  [[ $db == postgres* ]] && psql -q "$db" -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  "${!bin_var}" seed --db "$db" $SEED >/dev/null
  echo "seed $side: $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s"
  "${!bin_var}" serve --db "$db" --addr 127.0.0.1:0 >"$WORK/serve-$side.log" 2>&1 &
  PIDS+=($!)
done
declare -A URL TOKEN
for side in a b; do
  for _ in $(seq 1 100); do
    URL[$side]=$(grep -o 'http://[0-9.:]*' "$WORK/serve-$side.log" | head -1 || true)
    [ -n "${URL[$side]}" ] && break
    sleep 0.1
  done
  TOKEN[$side]=$(curl -sf -X POST -H 'content-type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$DANGJIAN_ADMIN_PASSWORD\"}" \
    "${URL[$side]}/api/v1/auth/token" | json '["token"]')
done
sleep 5
URLS=(
  "/api/v1/societies?sector=frontier&per_page=50"
  "/api/v1/stats/coverage"
  "/api/v1/assignments?state=reported&per_page=50"
  "/api/v1/assignments?overdue=true&sort=due_on&per_page=50&page=5"
  "/api/v1/rectifications?overdue=true&per_page=50"
  "/api/v1/rectifications?state=open&severity=major&sort=org&per_page=50"
)
for u in "${URLS[@]}"; do
  for side in a b; do
    BENCH_TOKEN="${TOKEN[$side]}" wrk -t2 -c"$CONNS" -d2s -s "$ROOT/bench/auth.lua" "${URL[$side]}$u" >/dev/null
  done
  for i in $(seq 1 "$RUNS"); do
    for side in a b; do
      r=$(BENCH_TOKEN="${TOKEN[$side]}" wrk -t2 -c"$CONNS" -d"$DURATION" -s "$ROOT/bench/auth.lua" "${URL[$side]}$u" | grep RESULT)
      echo "run $i $side $u $r"
    done
  done
done
for i in 0 1; do echo "VmHWM ${PIDS[$i]} $(grep VmHWM /proc/${PIDS[$i]}/status | tr -s ' ')"; done
