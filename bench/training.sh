#!/usr/bin/env bash
# M7 and M8 benchmarks (issue 12): 2,000 orgs, 5,000 societies, 5 campaigns with their
# participants and records, 8,000 office-holders with two years of courses and attendance.
# /training/hours for the whole tree (memoized, and afresh right after a write) and for
# one org; /campaigns/{id}/progress; the hours ledger's xlsx; peak memory.
#
#   bench/training.sh                                   # SQLite, release build first
#   BENCH_BIN=path/to/dangjian bench/training.sh
#   BENCH_DB=postgres://postgres@127.0.0.1:PORT/db bench/training.sh   # PostgreSQL
#
# Needs: cargo, wrk, curl, python3.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_DIR:-/tmp/bench-training}
DURATION=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNECTIONS:-8}
THREADS=${BENCH_THREADS:-2}
export DANGJIAN_ADMIN_PASSWORD=${DANGJIAN_ADMIN_PASSWORD:-bench-admin-2024}
export DANGJIAN_LOG=${DANGJIAN_LOG:-warn}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=${BENCH_BIN:-$TARGET/release/dangjian}
LUA=$ROOT/bench/auth.lua

say() { printf '\n== %s\n' "$*"; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
say "machine: $(nproc) cores, $(uname -sr), $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "${BENCH_BIN:-}" ] || (cd "$ROOT" && cargo build --release -p dangjian --bin dangjian)

rm -rf "$WORK" && mkdir -p "$WORK"
DB=${BENCH_DB:-$WORK/bench.db}
say "seed: dangjian seed --db ${DB%%\?*} --orgs 2000 --societies 5000 --campaigns 5 --office-holders 8000"
/usr/bin/time -f "seed wall %es, max RSS %MkB" "$BIN" seed --db "$DB" --orgs 2000 --societies 5000 \
  --campaigns 5 --office-holders 8000

SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; }
trap cleanup EXIT
"$BIN" serve --db "$DB" --addr 127.0.0.1:0 >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
URL=
for _ in $(seq 1 300); do
  URL=$(grep -o 'http://[0-9.:]*' "$WORK/serve.log" | head -1 || true)
  [ -n "$URL" ] && break
  sleep 0.1
done
[ -n "$URL" ] || { cat "$WORK/serve.log"; exit 1; }
TOKEN=$(curl -sf -X POST -H 'content-type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$DANGJIAN_ADMIN_PASSWORD\"}" \
  "$URL/api/v1/auth/token" | json '["token"]')
get() { curl -sf -H "Authorization: Bearer $TOKEN" "$URL$1"; }
YEAR=$(date +%Y)
# a branch with office-holders: the last office-holder's org
ORG=$(get "/api/v1/office-holders?per_page=1&page=8000" | json '["items"][0]["party_org_id"]')
CAMPAIGN=$(get "/api/v1/campaigns?open_on=$(date +%F)&per_page=1" | json '["items"][0]["id"]')
say "year $YEAR, org $ORG, campaign $CAMPAIGN"
get "/api/v1/training/hours?year=$YEAR" | json '["summary"]'
get "/api/v1/campaigns/$CAMPAIGN/progress"; echo

run() {
  say "$1: wrk -t$THREADS -c$CONNS -d$DURATION --latency $URL$2"
  BENCH_TOKEN="$TOKEN" wrk -t"$THREADS" -c"$CONNS" -d3s -s "$LUA" "$URL$2" >/dev/null
  BENCH_TOKEN="$TOKEN" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -s "$LUA" "$URL$2" | grep RESULT
}
run "/training/hours, whole tree (8,000 people; memoized while nothing changes)" "/api/v1/training/hours?year=$YEAR"
run "/training/hours, one org" "/api/v1/training/hours?year=$YEAR&party_org_id=$ORG"
run "/campaigns/{id}/progress" "/api/v1/campaigns/$CAMPAIGN/progress"
run "/campaigns/{id}/progress of one org's subtree" "/api/v1/campaigns/$CAMPAIGN/progress?party_org_id=$ORG"

p50() { sort -n | awk '{ t[NR] = $1 } END { printf "p50 %.1f ms, max %.1f ms (%d requests)\n", t[int((NR + 1) / 2)] * 1000, t[NR] * 1000, NR }'; }
timed_get() { curl -s -o "${2:-/dev/null}" -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "$URL$1"; }
# a write between reads: a course's attendance added and removed
COURSE=$(get "/api/v1/courses?per_page=1" | json '["items"][0]["id"]')
HOLDER=$(get "/api/v1/office-holders?per_page=1&party_org_id=$ORG" | json '["items"][0]["id"]')
say "/training/hours, whole tree, one request at a time, each right after a write (course $COURSE, office-holder $HOLDER)"
for i in $(seq 1 20); do
  curl -s -o /dev/null -X DELETE -H "Authorization: Bearer $TOKEN" "$URL/api/v1/courses/$COURSE/attendance/$HOLDER"
  curl -s -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "{\"office_holder_id\":$HOLDER}" "$URL/api/v1/courses/$COURSE/attendance"
  timed_get "/api/v1/training/hours?year=$YEAR"
done | p50
say "/campaigns/{id}/progress, one request at a time, each right after a write"
PORG=$(get "/api/v1/campaigns/$CAMPAIGN/participants?per_page=1" | json '["items"][0]["party_org_id"]')
for i in $(seq 1 20); do
  ID=$(curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "{\"party_org_id\":$PORG,\"held_on\":\"$(date +%F)\",\"title\":\"服务\"}" "$URL/api/v1/campaigns/$CAMPAIGN/records" | json '["id"]')
  timed_get "/api/v1/campaigns/$CAMPAIGN/progress"
  curl -s -o /dev/null -X DELETE -H "Authorization: Bearer $TOKEN" "$URL/api/v1/campaign-records/$ID"
done | p50
grep -E 'VmHWM|VmRSS' "/proc/$SERVER_PID/status"
