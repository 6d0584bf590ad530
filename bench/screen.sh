#!/usr/bin/env bash
# The big screen (issue 14, item 4) with every module seeded: 2,000 orgs, 5,000 societies,
# 200,000 activities, 20,000 assignments and rectifications, 10 report forms, 300 funded
# projects, 5 campaigns, 8,000 office-holders. `/screen` and the dashboard `/` as admin
# (a browser session), one request at a time: the database unchanged (every reader's memo
# warm) and each right after a write (an activity edited: every memo dropped).
#
#   bench/screen.sh                                   # SQLite, release build first
#   BENCH_BIN=path/to/dangjian bench/screen.sh
#   BENCH_DB=postgres://postgres@127.0.0.1:PORT/db bench/screen.sh   # PostgreSQL
#   BENCH_PAGES="/" bench/screen.sh                   # other pages (a build without /screen)
#
# Needs: cargo, curl, python3 (wrk for the last line).
set -euo pipefail

WORK=${BENCH_DIR:-/tmp/bench-screen}
. "$(dirname "$0")/lib.sh"
seed --orgs 2000 --societies 5000 --activities 200000 --assignments 20000 --rectifications 20000 \
  --report-forms 10 --funded-projects 300 --campaigns 5 --office-holders 8000 --schemes 1
serve

# a browser session of admin (the page is not part of the API)
JAR=$WORK/cookies.txt
CSRF=$(curl -sf -c "$JAR" "$URL/login" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
curl -s -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "username=admin" \
  --data-urlencode "password=$DANGJIAN_ADMIN_PASSWORD" --data-urlencode "csrf=$CSRF" \
  --data-urlencode "next=/" "$URL/login"
COOKIE="dj_session=$(awk '$6 == "dj_session" { print $7 }' "$JAR" | tail -1)"
page() { curl -s -o "${2:-/dev/null}" -w '%{time_total}\n' -H "Cookie: $COOKIE" "$URL$1"; }
ACT=$(get "/api/v1/activities?per_page=1" | json '["items"][0]["id"]')
write() {
  curl -sf -o /dev/null -X PATCH -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "{\"attendees_present\": $(($1 % 3))}" "$URL/api/v1/activities/$ACT"
}
say "server at $URL; the write: PATCH /api/v1/activities/$ACT"

for path in ${BENCH_PAGES:-/screen /}; do
  code=$(curl -s -o "$WORK/page.html" -w '%{http_code}' -H "Cookie: $COOKIE" "$URL$path")
  [ "$code" = 200 ] || { echo "$path answered $code"; exit 1; }
  say "$path ($(wc -c <"$WORK/page.html") bytes), each right after a write (computed afresh)"
  for i in $(seq 1 21); do write "$i"; page "$path"; done | p50
  say "$path, database unchanged (after a warm-up of every reader connection)"
  for _ in $(seq 1 8); do page "$path" >/dev/null; done
  for _ in $(seq 1 41); do page "$path"; done | p50
done
if command -v wrk >/dev/null; then
  path=${BENCH_PAGES:-/screen}
  path=${path%% *}
  say "$path under wrk, $CONNS connections, database unchanged"
  BENCH_COOKIE="$COOKIE" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -s "$LUA" "$URL$path" | grep RESULT
fi
grep -E 'VmHWM|VmRSS' "/proc/$SERVER_PID/status"
