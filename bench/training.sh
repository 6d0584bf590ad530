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

WORK=${BENCH_DIR:-/tmp/bench-training}
. "$(dirname "$0")/lib.sh"
seed --orgs 2000 --societies 5000 --campaigns 5 --office-holders 8000
serve
YEAR=$(date +%Y)
# a branch with office-holders: the last office-holder's org
ORG=$(get "/api/v1/office-holders?per_page=1&page=8000" | json '["items"][0]["party_org_id"]')
CAMPAIGN=$(get "/api/v1/campaigns?open_on=$(date +%F)&per_page=1" | json '["items"][0]["id"]')
say "year $YEAR, org $ORG, campaign $CAMPAIGN"
get "/api/v1/training/hours?year=$YEAR" | json '["summary"]'
get "/api/v1/campaigns/$CAMPAIGN/progress"; echo

run "/training/hours, whole tree (8,000 people; memoized while nothing changes)" "/api/v1/training/hours?year=$YEAR"
run "/training/hours, one org" "/api/v1/training/hours?year=$YEAR&party_org_id=$ORG"
run "/campaigns/{id}/progress" "/api/v1/campaigns/$CAMPAIGN/progress"
run "/campaigns/{id}/progress of one org's subtree" "/api/v1/campaigns/$CAMPAIGN/progress?party_org_id=$ORG"

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
