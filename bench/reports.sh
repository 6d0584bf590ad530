#!/usr/bin/env bash
# M5 benchmarks (issue 11): 2,000 orgs, 5,000 societies, 10 report forms over two years,
# 300 funded projects. One period's submissions and a form's over all periods (50 rows),
# /stats/reports (memoized, and afresh after a write), a period's xlsx, peak memory.
#
#   bench/reports.sh                                   # SQLite, release build first
#   BENCH_BIN=path/to/dangjian bench/reports.sh
#   BENCH_DB=postgres://postgres@127.0.0.1:PORT/db bench/reports.sh   # PostgreSQL
#
# Needs: cargo, wrk, curl, python3.
set -euo pipefail

WORK=${BENCH_DIR:-/tmp/bench-reports}
. "$(dirname "$0")/lib.sh"
seed --orgs 2000 --societies 5000 --report-forms 10 --funded-projects 300
serve
# the first monthly form of orgs, and its latest period whose deadline has passed
FORM=$(get "/api/v1/report-forms?per_page=50" | python3 -c "
import json,sys
for f in json.load(sys.stdin)['items']:
    if f['period'] == 'month' and f['applies_to'] == 'party_orgs':
        print(f['id']); break")
PERIOD=$(date -d "$(date +%Y-%m-01) -2 months" +%Y-%m)
say "form $FORM, period $PERIOD"
get "/api/v1/stats/reports?form_id=$FORM&period=$PERIOD"; echo

run "one period's submissions, 50 rows" "/api/v1/report-submissions?form_id=$FORM&period=$PERIOD&per_page=50"
run "a form's submissions over all periods, 50 rows" "/api/v1/report-submissions?form_id=$FORM&per_page=50"
run "a form's submissions over all periods, page 200" "/api/v1/report-submissions?form_id=$FORM&per_page=50&page=200"
run "late ones of a form (every stored row read)" "/api/v1/report-submissions?form_id=$FORM&late=true&per_page=50"
run "/stats/reports (memoized while nothing changes)" "/api/v1/stats/reports?form_id=$FORM&period=$PERIOD"
run "funded projects, 50 rows" "/api/v1/funded-projects?per_page=50"

# a submitted one of the period, to return and resubmit (a write between reads)
SUB=$(get "/api/v1/report-submissions?form_id=$FORM&period=$PERIOD&state=submitted&per_page=1" | json '["items"][0]["id"]')
say "/stats/reports, one request at a time, each right after a write (submission $SUB)"
for i in $(seq 1 20); do
  curl -s -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d '{"decision":"return","comment":"请补充"}' "$URL/api/v1/report-submissions/$SUB/review"
  curl -s -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" "$URL/api/v1/report-submissions/$SUB/submit"
  timed_get "/api/v1/stats/reports?form_id=$FORM&period=$PERIOD"
done | p50
say "a period's xlsx (5 runs)"
for i in 1 2 3 4 5; do timed_get "/api/v1/export/report-submissions.xlsx?form_id=$FORM&period=$PERIOD" "$WORK/period.xlsx"; done | p50
ls -l "$WORK/period.xlsx"
grep -E 'VmHWM|VmRSS' "/proc/$SERVER_PID/status"
