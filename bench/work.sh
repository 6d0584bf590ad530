#!/usr/bin/env bash
# M3/M4 load benchmarks: 2,000 orgs, 20,000 assignments and 20,000 rectifications; the task
# and rectification ledgers (50 rows, filtered), /stats/rectification, the xlsx ledgers of
# every row, and the bulletins. Figures go to BENCHMARKS.md ("M3/M4 ledgers") by hand.
#
#   bench/work.sh                       # release build, then the runs
#   BENCH_BIN=path/to/dangjian bench/work.sh
#
# Needs: cargo, wrk, curl, sqlite3, python3.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_DIR:-/tmp/bench-work}
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
DB=$WORK/bench.db
say "seed: dangjian seed --db $DB --societies 2000 --orgs 2000 --assignments 20000 --rectifications 20000"
/usr/bin/time -f "seed wall %es, max RSS %MkB" "$BIN" seed --db "$DB" --societies 2000 --orgs 2000 \
  --assignments 20000 --rectifications 20000

SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; }
trap cleanup EXIT
"$BIN" serve --db "$DB" --addr 127.0.0.1:0 >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
URL=
for _ in $(seq 1 100); do
  URL=$(grep -o 'http://[0-9.:]*' "$WORK/serve.log" | head -1 || true)
  [ -n "$URL" ] && break
  sleep 0.1
done
[ -n "$URL" ] || { cat "$WORK/serve.log"; exit 1; }
TOKEN=$(curl -sf -X POST -H 'content-type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$DANGJIAN_ADMIN_PASSWORD\"}" \
  "$URL/api/v1/auth/token" | json '["token"]')
ORG=$(sqlite3 "$DB" "SELECT party_org_id FROM rectifications GROUP BY party_org_id ORDER BY count(*) DESC LIMIT 1")

run() {
  say "$1: wrk -t$THREADS -c$CONNS -d$DURATION --latency $URL$2"
  BENCH_TOKEN="$TOKEN" wrk -t"$THREADS" -c"$CONNS" -d3s -s "$LUA" "$URL$2" >/dev/null
  BENCH_TOKEN="$TOKEN" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -s "$LUA" "$URL$2" | grep RESULT
}
run "task ledger, state filter" "/api/v1/assignments?state=reported&per_page=50"
run "task ledger, overdue, by due date, page 5" "/api/v1/assignments?overdue=true&sort=due_on&per_page=50&page=5"
run "rectification ledger, overdue" "/api/v1/rectifications?overdue=true&per_page=50"
run "rectification ledger, one org" "/api/v1/rectifications?party_org_id=$ORG&per_page=50"
run "rectification ledger, state + severity, by org" "/api/v1/rectifications?state=open&severity=major&sort=org&per_page=50"
run "figures (memoized while nothing changes)" "/api/v1/stats/rectification"

p50() { sort -n | awk '{ t[NR] = $1 } END { printf "p50 %.1f ms, max %.1f ms (%d requests)\n", t[int((NR + 1) / 2)] * 1000, t[NR] * 1000, NR }'; }
timed_get() { curl -s -o "${2:-/dev/null}" -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "$URL$1"; }
RECT=$(sqlite3 "$DB" "SELECT id FROM rectifications WHERE state = 'submitted' LIMIT 1")

say "figures, one request at a time, each right after a write (computed afresh)"
for i in $(seq 1 20); do
  curl -s -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d '{"decision":"return","comment":"x"}' "$URL/api/v1/rectifications/$RECT/verify"
  curl -s -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d '{"response":"again"}' "$URL/api/v1/rectifications/$RECT/submit"
  timed_get /api/v1/stats/rectification
done | p50
say "figures of one year, afresh after a write"
for i in $(seq 1 20); do
  curl -s -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d '{"decision":"return","comment":"x"}' "$URL/api/v1/rectifications/$RECT/verify"
  curl -s -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d '{"response":"again"}' "$URL/api/v1/rectifications/$RECT/submit"
  timed_get "/api/v1/stats/rectification?year=$(date +%Y)"
done | p50

say "xlsx ledgers of every row (5 runs each)"
for i in 1 2 3 4 5; do timed_get /api/v1/export/assignments.xlsx "$WORK/assignments.xlsx"; done | p50
ls -l "$WORK/assignments.xlsx"
for i in 1 2 3 4 5; do timed_get /api/v1/export/rectifications.xlsx "$WORK/rectifications.xlsx"; done | p50
ls -l "$WORK/rectifications.xlsx"
say "bulletins over this year (5 runs each)"
for i in 1 2 3 4 5; do timed_get /api/v1/bulletins/rectification.docx "$WORK/rect.docx"; done | p50
for i in 1 2 3 4 5; do timed_get /api/v1/bulletins/tasks.docx "$WORK/tasks.docx"; done | p50
ls -l "$WORK"/*.docx
say "bulletins over two years"
FROM=$(date -d '2 years ago' +%F)
for i in 1 2 3; do timed_get "/api/v1/bulletins/rectification.docx?from=$FROM" "$WORK/rect2.docx"; done | p50
grep -E 'VmHWM|VmRSS' "/proc/$SERVER_PID/status"

say "figures: SQL aggregate vs reading every row for Rust (sqlite3, 2nd of two runs counts)"
sqlite3 "$DB" <<'SQL'
.timer on
.print -- aggregate (what the server runs), then the verified rows' days for the median
SELECT r.state, count(*), sum(r.state <> 'verified' AND r.due_on < date('now')) FROM rectifications r WHERE r.deleted_at IS NULL GROUP BY r.state;
SELECT r.state, count(*), sum(r.state <> 'verified' AND r.due_on < date('now')) FROM rectifications r WHERE r.deleted_at IS NULL GROUP BY r.state;
SELECT count(*) FROM (SELECT CAST(julianday(r.verified_on) - julianday(r.found_on) AS INTEGER), r.verified_on <= r.due_on FROM rectifications r WHERE r.deleted_at IS NULL AND r.state = 'verified');
SELECT count(*) FROM (SELECT CAST(julianday(r.verified_on) - julianday(r.found_on) AS INTEGER), r.verified_on <= r.due_on FROM rectifications r WHERE r.deleted_at IS NULL AND r.state = 'verified');
.print -- every row's facts, for computing everything in Rust
SELECT count(*) FROM (SELECT r.state, r.found_on, r.due_on, r.verified_on FROM rectifications r WHERE r.deleted_at IS NULL);
SELECT count(*) FROM (SELECT r.state, r.found_on, r.due_on, r.verified_on FROM rectifications r WHERE r.deleted_at IS NULL);
SQL
