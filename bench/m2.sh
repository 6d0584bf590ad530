#!/usr/bin/env bash
# M2 benchmark (not a timed test): 2,000 party orgs and 500,000 activity records; measures
# /api/v1/compliance for the whole tree and for one org, and the heat-map page.
#
#   bench/m2.sh                      # builds release, seeds, serves, measures
#   BENCH_BIN=target/release/dangjian bench/m2.sh   # measure an existing binary
#
# Needs: cargo, wrk, curl, sqlite3 (query alternative), python3.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_DIR:-/tmp/bench-m2}
ORGS=${BENCH_ORGS:-2000}
ACTIVITIES=${BENCH_ACTIVITIES:-500000}
DURATION=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNECTIONS:-8}
export DANGJIAN_ADMIN_PASSWORD=${DANGJIAN_ADMIN_PASSWORD:-bench-admin-2024}
export DANGJIAN_LOG=${DANGJIAN_LOG:-warn}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=${BENCH_BIN:-$TARGET/release/dangjian}
LUA=$ROOT/bench/auth.lua
YEAR=$(date +%Y)

say() { printf '\n== %s\n' "$*"; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
say "machine: $(nproc) cores, $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "${BENCH_BIN:-}" ] || (cd "$ROOT" && cargo build --release -p dangjian --bin dangjian)

rm -rf "$WORK"; mkdir -p "$WORK"; DB=$WORK/m2.db
say "seed: dangjian seed --db $DB --societies 3000 --orgs $ORGS --activities $ACTIVITIES"
/usr/bin/time -f "seed wall %es, max RSS %MkB" "$BIN" seed --db "$DB" --societies 3000 --orgs "$ORGS" --activities "$ACTIVITIES"
ls -l "$DB"

SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; }
trap cleanup EXIT
"$BIN" serve --db "$DB" --addr 127.0.0.1:0 >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
URL=
for _ in $(seq 1 100); do URL=$(grep -o 'http://[0-9.:]*' "$WORK/serve.log" | head -1 || true); [ -n "$URL" ] && break; sleep 0.1; done
[ -n "$URL" ] || { cat "$WORK/serve.log"; exit 1; }
TOKEN=$(curl -sf -X POST -H 'content-type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$DANGJIAN_ADMIN_PASSWORD\"}" "$URL/api/v1/auth/token" | json '["token"]')
JAR=$WORK/cookies.txt
CSRF=$(curl -sf -c "$JAR" "$URL/login" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
curl -s -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "username=admin" \
  --data-urlencode "password=$DANGJIAN_ADMIN_PASSWORD" --data-urlencode "csrf=$CSRF" --data-urlencode "next=/" "$URL/login"
COOKIE="dj_session=$(awk '$6 == "dj_session" { print $7 }' "$JAR" | tail -1)"
# A leaf branch (one org) for the per-org figures.
ORG=$(curl -sf -H "Authorization: Bearer $TOKEN" "$URL/api/v1/party-orgs?kind=branch&per_page=1" | json '["items"][0]["id"]')
ACT=$(curl -sf -H "Authorization: Bearer $TOKEN" "$URL/api/v1/activities?per_page=1" | json '["items"][0]["id"]')
ITEMS=$(curl -sf -H "Authorization: Bearer $TOKEN" "$URL/api/v1/compliance?year=$YEAR" | json '["items"].__len__()')
echo "server at $URL; whole tree: $ITEMS compliance items for $YEAR; one org: #$ORG"

p50() { sort -n | awk '{ t[NR] = $1 } END { printf "p50 %.1f ms, max %.1f ms (%d requests)\n", t[int((NR + 1) / 2)] * 1000, t[NR] * 1000, NR }'; }
get() { curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "$URL$1"; }
page() { curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: $COOKIE" "$URL$1"; }
write() { curl -sf -o /dev/null -X PATCH -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d "{\"attendees_present\": $(( $1 % 3 ))}" "$URL/api/v1/activities/$ACT"; }

for what in "whole tree|/api/v1/compliance?year=$YEAR|get" "one org|/api/v1/compliance?year=$YEAR&party_org_id=$ORG|get" \
            "heat-map page|/compliance?year=$YEAR|page" "to-do (dashboard)|/|page"; do
  IFS='|' read -r name path how <<<"$what"
  say "$name, each right after a write (computed afresh): $path"
  for i in $(seq 1 21); do write "$i"; $how "$path"; done | p50
  say "$name, database unchanged (memoized per reader connection)"
  for _ in $(seq 1 41); do $how "$path"; done | p50
done

say "wrk: one org, $CONNS connections"
BENCH_TOKEN=$TOKEN wrk -t2 -c"$CONNS" -d"$DURATION" -s "$LUA" "$URL/api/v1/compliance?year=$YEAR&party_org_id=$ORG"
say "server memory: $(awk '/VmHWM|VmRSS/ { printf "%s %d MB  ", $1, $2 / 1024 }' /proc/$SERVER_PID/status)"

if command -v sqlite3 >/dev/null; then
  say "the obvious alternative: counting the activities themselves (sqlite3, .timer)"
  sqlite3 "$DB" <<SQL
.timer on
SELECT count(*) FROM (SELECT party_org_id, kind, substr(held_on, 1, 7), count(*) FROM activities
  WHERE deleted_at IS NULL AND held_on BETWEEN '$YEAR-01-01' AND '$YEAR-12-31' GROUP BY 1, 2, 3);
SELECT count(*) FROM (SELECT party_org_id, kind, ym, n FROM activity_counts WHERE ym BETWEEN ${YEAR}01 AND ${YEAR}12 AND n > 0);
SQL
fi
