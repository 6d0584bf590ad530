#!/usr/bin/env bash
# Two builds side by side: each seeds its own database with the same generator, then they
# are served one at a time, alternating (a, b, a, b), and every URL is measured with wrk.
#
#   BENCH_A=old/dangjian BENCH_B=target/release/dangjian bench/compare.sh
#   BENCH_A=… BENCH_B=… BENCH_DB_B=postgres://…/bench bench/compare.sh   # b on PostgreSQL
#
# BENCH_DB_A / BENCH_DB_B name each side's database (default a SQLite file in the work
# directory); a PostgreSQL database must exist and is emptied first.
# Needs: wrk, curl, python3, sqlite3.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_DIR:-/tmp/bench-compare}
DURATION=${BENCH_DURATION:-8s}
CONNS=${BENCH_CONNECTIONS:-32}
export DANGJIAN_ADMIN_PASSWORD=${DANGJIAN_ADMIN_PASSWORD:-bench-admin-2024}
export DANGJIAN_LOG=${DANGJIAN_LOG:-warn}
LUA=$ROOT/bench/auth.lua
SEED=${BENCH_SEED:---societies 100000 --orgs 50000 --assignments 20000 --rectifications 20000}

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
rm -rf "$WORK" && mkdir -p "$WORK"
echo "machine: $(nproc) cores, $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
db_of() {
  local v=BENCH_DB_${1^^}
  echo "${!v:-$WORK/$1.db}"
}
for side in a b; do
  bin_var=BENCH_${side^^}
  db=$(db_of $side)
  if [[ $db == postgres* ]]; then
    psql -q "$db" -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null
  fi
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  "${!bin_var}" seed --db "$db" $SEED >/dev/null
  echo "seed $side: $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s"
done

SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; }
trap cleanup EXIT

URLS=(
  "/api/v1/societies?sector=frontier&per_page=50"
  "/api/v1/stats/coverage"
  "/api/v1/assignments?state=reported&per_page=50"
  "/api/v1/assignments?overdue=true&sort=due_on&per_page=50&page=5"
  "/api/v1/rectifications?overdue=true&per_page=50"
  "/api/v1/rectifications?state=open&severity=major&sort=org&per_page=50"
)

for round in $(seq 1 "${BENCH_ROUNDS:-2}"); do
  for side in a b; do
    bin_var=BENCH_${side^^}
    "${!bin_var}" serve --db "$(db_of $side)" --addr 127.0.0.1:0 >"$WORK/serve-$side.log" 2>&1 &
    SERVER_PID=$!
    URL=
    for _ in $(seq 1 100); do
      URL=$(grep -o 'http://[0-9.:]*' "$WORK/serve-$side.log" | head -1 || true)
      [ -n "$URL" ] && break
      sleep 0.1
    done
    TOKEN=$(curl -sf -X POST -H 'content-type: application/json' \
      -d "{\"username\":\"admin\",\"password\":\"$DANGJIAN_ADMIN_PASSWORD\"}" \
      "$URL/api/v1/auth/token" | json '["token"]')
    sleep 5 # past the daily job's start
    for u in "${URLS[@]}"; do
      BENCH_TOKEN="$TOKEN" wrk -t2 -c"$CONNS" -d2s -s "$LUA" "$URL$u" >/dev/null
      r=$(BENCH_TOKEN="$TOKEN" wrk -t2 -c"$CONNS" -d"$DURATION" -s "$LUA" "$URL$u" | grep RESULT)
      echo "round $round $side $u $r"
    done
    echo "round $round $side VmHWM $(grep VmHWM /proc/$SERVER_PID/status | tr -s ' ')"
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  done
done
