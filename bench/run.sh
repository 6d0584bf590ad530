#!/usr/bin/env bash
# Load benchmarks for dangjian (not timed tests): seeds a national-scale database, serves it,
# and drives the API and the societies page with wrk. Figures go to BENCHMARKS.md by hand.
#
#   bench/run.sh            # everything, with the defaults below
#   BENCH_DURATION=20s BENCH_CONNECTIONS=32 bench/run.sh
#
# Needs: cargo, wrk, curl, sqlite3 (for the query-plan comparisons), python3 (JSON parsing).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_DIR:-/tmp/bench}
SOCIETIES=${BENCH_SOCIETIES:-100000}
ORGS=${BENCH_ORGS:-50000}
IMPORT_ROWS=${BENCH_IMPORT_ROWS:-10000}
DURATION=${BENCH_DURATION:-15s}
CONNS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
# Niceness of the server and wrk (e.g. -10 when other builds share the machine; needs root).
NICE=${BENCH_NICE:-0}
export DANGJIAN_ADMIN_PASSWORD=${DANGJIAN_ADMIN_PASSWORD:-bench-admin-2024}
export DANGJIAN_LOG=${DANGJIAN_LOG:-warn}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
# BENCH_BIN: measure this binary instead of building one (for before/after comparisons).
BIN=${BENCH_BIN:-$TARGET/release/dangjian}
LUA=$ROOT/bench/auth.lua

say() { printf '\n== %s\n' "$*"; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

say "machine: $(nproc) cores, $(uname -sr), $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"

say "build (release)"
if [ -n "${BENCH_BIN:-}" ]; then
  (cd "$ROOT" && cargo build --release -p dangjian --example bench_import_file)
  echo "measuring $BIN"
else
  (cd "$ROOT" && cargo build --release -p dangjian --bin dangjian --example bench_import_file)
fi

rm -rf "$WORK"
mkdir -p "$WORK"
DB=$WORK/bench.db

say "seed: dangjian seed --db $DB --societies $SOCIETIES --orgs $ORGS"
/usr/bin/time -f "seed wall %es, max RSS %MkB" "$BIN" seed --db "$DB" --societies "$SOCIETIES" --orgs "$ORGS"
ls -l "$DB"

say "import sheet: $IMPORT_ROWS new societies referring to existing orgs"
"$TARGET/release/examples/bench_import_file" "$DB" "$IMPORT_ROWS" "$WORK/import.xlsx"

SERVER_PID=
mem() { awk '/VmHWM|VmRSS/ { printf "%s %d MB  ", $1, $2 / 1024 }' "/proc/$SERVER_PID/status"; }
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; }
trap cleanup EXIT

say "serve: dangjian serve --db $DB --addr 127.0.0.1:0"
nice -n "$NICE" "$BIN" serve --db "$DB" --addr 127.0.0.1:0 >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
URL=
for _ in $(seq 1 100); do
  URL=$(grep -o 'http://[0-9.:]*' "$WORK/serve.log" | head -1 || true)
  [ -n "$URL" ] && break
  sleep 0.1
done
[ -n "$URL" ] || { cat "$WORK/serve.log"; exit 1; }
echo "server pid $SERVER_PID at $URL"
curl -sf "$URL/healthz" >/dev/null

TOKEN=$(curl -sf -X POST -H 'content-type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$DANGJIAN_ADMIN_PASSWORD\"}" \
  "$URL/api/v1/auth/token" | json '["token"]')

# A browser session: GET /login sets the login CSRF cookie, the form carries the same value.
COOKIE=
JAR=$WORK/cookies.txt
if LOGIN_HTML=$(curl -sf -c "$JAR" "$URL/login"); then
  CSRF=$(printf '%s' "$LOGIN_HTML" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//' || true)
  if [ -n "$CSRF" ]; then
    curl -s -b "$JAR" -c "$JAR" -o /dev/null \
      --data-urlencode "username=admin" --data-urlencode "password=$DANGJIAN_ADMIN_PASSWORD" \
      --data-urlencode "csrf=$CSRF" --data-urlencode "next=/" "$URL/login"
    SESSION=$(awk '$6 == "dj_session" { print $7 }' "$JAR" | tail -1)
    [ -n "$SESSION" ] && COOKIE="dj_session=$SESSION"
  fi
fi

# run NAME PATH [token|cookie [CONNECTIONS]]: a 3 s warm-up, then the measured run.
run() {
  local name=$1 path=$2 auth=${3:-token} conns=${4:-$CONNS}
  local env_auth=(BENCH_TOKEN="$TOKEN" BENCH_COOKIE=)
  [ "$auth" = cookie ] && env_auth=(BENCH_TOKEN= BENCH_COOKIE="$COOKIE")
  local status
  if [ "$auth" = cookie ]; then
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "$URL$path")
  else
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$URL$path")
  fi
  if [ "$status" != 200 ]; then
    say "$name: GET $path answers $status — skipped"
    return 0
  fi
  say "$name: wrk -t$THREADS -c$conns -d$DURATION --latency -s bench/auth.lua $URL$path"
  env "${env_auth[@]}" nice -n "$NICE" wrk -t"$THREADS" -c"$conns" -d3s -s "$LUA" "$URL$path" >/dev/null
  env "${env_auth[@]}" nice -n "$NICE" wrk -t"$THREADS" -c"$conns" -d"$DURATION" --latency -s "$LUA" "$URL$path"
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); server $(mem)"
}

run "API societies list (sector filter)" "/api/v1/societies?sector=frontier&per_page=50"
run "API societies list (sector filter), 64 connections" "/api/v1/societies?sector=frontier&per_page=50" token 64
run "API societies list, page 100 (sector filter)" "/api/v1/societies?sector=frontier&per_page=50&page=100"
run "API coverage figures" "/api/v1/stats/coverage"
if [ -n "$COOKIE" ]; then
  run "HTML societies page" "/societies?sector=frontier" cookie
  run "HTML societies page, no filter" "/societies" cookie
else
  say "HTML societies page: no browser login available — skipped"
fi

# p50/max of a list of seconds on stdin, in ms.
p50() { sort -n | awk '{ t[NR] = $1 } END { printf "p50 %.1f ms, max %.1f ms (%d requests)\n", t[int((NR + 1) / 2)] * 1000, t[NR] * 1000, NR }'; }
timed_get() { curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "$URL$1"; }

say "coverage figures, one request at a time, database unchanged (figures memoized)"
for _ in $(seq 1 50); do timed_get /api/v1/stats/coverage; done | p50

say "coverage figures, one request at a time, each right after a write (computed afresh)"
for i in $(seq 1 30); do
  curl -sf -o /dev/null -X PATCH -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "{\"full_members\": $((i % 7))}" "$URL/api/v1/societies/1"
  timed_get /api/v1/stats/coverage
done | p50

say "societies list total, each right after a write (count computed afresh)"
for i in $(seq 1 30); do
  curl -sf -o /dev/null -X PATCH -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "{\"full_members\": $((i % 7))}" "$URL/api/v1/societies/1"
  timed_get "/api/v1/societies?sector=frontier&per_page=50"
done | p50

say "import: POST /api/v1/import/societies ($IMPORT_ROWS rows, $(stat -c %s "$WORK/import.xlsx") bytes)"
for attempt in "first (creates)" "again (unchanged rows)"; do
  curl -s -o "$WORK/import.json" -w "$attempt: HTTP %{http_code} in %{time_total} s\n" \
    -H "Authorization: Bearer $TOKEN" -F "file=@$WORK/import.xlsx" "$URL/api/v1/import/societies"
  head -c 200 "$WORK/import.json"; echo
  echo "server $(mem)"
done

say "server memory after the runs"
grep -E 'VmHWM|VmRSS' "/proc/$SERVER_PID/status"

say "query alternatives (sqlite3 on a copy of the database, 2nd of two runs counts)"
cp "$DB" "$WORK/cmp.db"
sqlite3 "$WORK/cmp.db" <<'SQL'
.timer on
.print -- list total with the partial index societies_sector(sector, id)
SELECT count(*) FROM societies s WHERE s.deleted_at IS NULL AND s.sector = 'frontier';
SELECT count(*) FROM societies s WHERE s.deleted_at IS NULL AND s.sector = 'frontier';
.print -- coverage breakdown from the derived column (what the server runs)
SELECT s.coverage, count(*), sum(s.charter_has_party_building), sum(s.full_members >= 3 AND s.coverage <> 'own_branch') FROM societies s WHERE s.deleted_at IS NULL GROUP BY s.coverage;
SELECT s.coverage, count(*), sum(s.charter_has_party_building), sum(s.full_members >= 3 AND s.coverage <> 'own_branch') FROM societies s WHERE s.deleted_at IS NULL GROUP BY s.coverage;
SELECT s.sector, count(*) FROM societies s WHERE s.deleted_at IS NULL GROUP BY s.sector;
SELECT s.sector, count(*) FROM societies s WHERE s.deleted_at IS NULL GROUP BY s.sector;
.print -- coverage breakdown computed with a join on the covering org instead
SELECT CASE WHEN o.kind IN ('branch', 'general_branch', 'committee') THEN 'own_branch' WHEN o.kind = 'joint_branch' THEN 'joint_branch' WHEN o.kind = 'functional_branch' THEN 'functional_branch' WHEN coalesce(s.instructor, '') <> '' THEN 'instructor' ELSE 'none' END AS cov, count(*), sum(s.charter_has_party_building) FROM societies s LEFT JOIN party_orgs o ON o.id = s.party_org_id AND o.deleted_at IS NULL WHERE s.deleted_at IS NULL GROUP BY cov;
SELECT CASE WHEN o.kind IN ('branch', 'general_branch', 'committee') THEN 'own_branch' WHEN o.kind = 'joint_branch' THEN 'joint_branch' WHEN o.kind = 'functional_branch' THEN 'functional_branch' WHEN coalesce(s.instructor, '') <> '' THEN 'instructor' ELSE 'none' END AS cov, count(*), sum(s.charter_has_party_building) FROM societies s LEFT JOIN party_orgs o ON o.id = s.party_org_id AND o.deleted_at IS NULL WHERE s.deleted_at IS NULL GROUP BY cov;
.print -- list total without the partial index
DROP INDEX societies_sector;
SELECT count(*) FROM societies s WHERE s.deleted_at IS NULL AND s.sector = 'frontier';
SELECT count(*) FROM societies s WHERE s.deleted_at IS NULL AND s.sector = 'frontier';
SQL
rm -f "$WORK/cmp.db"
