#!/usr/bin/env bash
# M9 and M10 benchmarks (issue 13): 2,000 orgs, 5,000 societies, 5,000 visits by 25
# committee members with their liaisons, 3,000 publication channels with their reviews.
# /stats/liaison (memoized, and afresh right after a write); /checks with the channel
# checks (the same); a 50-row page of the channel register; peak memory.
#
#   bench/liaison.sh                                   # SQLite, release build first
#   BENCH_BIN=path/to/dangjian bench/liaison.sh
#   BENCH_DB=postgres://postgres@127.0.0.1:PORT/db bench/liaison.sh   # PostgreSQL
#
# Needs: cargo, wrk, curl, python3.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_DIR:-/tmp/bench-liaison}
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
say "seed: dangjian seed --db ${DB%%\?*} --orgs 2000 --societies 5000 --visits 5000 --channels 3000"
/usr/bin/time -f "seed wall %es, max RSS %MkB" "$BIN" seed --db "$DB" --orgs 2000 --societies 5000 \
  --visits 5000 --channels 3000

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
get "/api/v1/stats/liaison" | python3 -c "import json,sys; s=json.load(sys.stdin); print(len(s['items']), 'members,', sum(i['visits'] for i in s['items']), 'visits this year,', s['orgs_without_liaison'], 'orgs without liaison')"
get "/api/v1/checks" | python3 -c "import json,sys,collections; print(dict(collections.Counter(c['rule'] for c in json.load(sys.stdin)['items'])))"
CHANNEL=$(get "/api/v1/channels?per_page=1" | json '["items"][0]["id"]')
ORG=$(get "/api/v1/liaisons?per_page=1" | json '["items"][0]["party_org_id"]')

run() {
  say "$1: wrk -t$THREADS -c$CONNS -d$DURATION --latency $URL$2"
  BENCH_TOKEN="$TOKEN" wrk -t"$THREADS" -c"$CONNS" -d3s -s "$LUA" "$URL$2" >/dev/null
  BENCH_TOKEN="$TOKEN" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -s "$LUA" "$URL$2" | grep RESULT
}
run "/stats/liaison (memoized while nothing changes)" "/api/v1/stats/liaison?year=$YEAR"
run "/checks, whole tree, with the channel checks" "/api/v1/checks"
run "/channels, the first 50-row page" "/api/v1/channels?per_page=50"
run "/channels, a 50-row page (page 30)" "/api/v1/channels?per_page=50&page=30"
run "/channels?review_overdue=true, a 50-row page" "/api/v1/channels?per_page=50&review_overdue=true"

p50() { sort -n | awk '{ t[NR] = $1 } END { printf "p50 %.1f ms, max %.1f ms (%d requests)\n", t[int((NR + 1) / 2)] * 1000, t[NR] * 1000, NR }'; }
timed_get() { curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "$URL$1"; }
post() { curl -s -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d "$2" "$URL$1"; }
say "/channels, a 50-row page (page 30), one request at a time"
for i in $(seq 1 20); do timed_get "/api/v1/channels?per_page=50&page=30"; done | p50
say "/stats/liaison, one request at a time, each right after a write (a visit to org $ORG)"
for i in $(seq 1 20); do
  post /api/v1/visits "{\"party_org_id\":$ORG,\"held_on\":\"$(date +%F)\",\"kind\":\"visit\"}"
  timed_get "/api/v1/stats/liaison?year=$YEAR"
done | p50
say "/checks, one request at a time, each right after a write (a review of channel $CHANNEL)"
for i in $(seq 1 20); do
  post "/api/v1/channels/$CHANNEL/reviews" "{\"reviewed_on\":\"$(date +%F)\"}"
  timed_get "/api/v1/checks"
done | p50
grep -E 'VmHWM|VmRSS' "/proc/$SERVER_PID/status"
