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

WORK=${BENCH_DIR:-/tmp/bench-liaison}
. "$(dirname "$0")/lib.sh"
seed --orgs 2000 --societies 5000 --visits 5000 --channels 3000
serve
YEAR=$(date +%Y)
get "/api/v1/stats/liaison" | python3 -c "import json,sys; s=json.load(sys.stdin); print(len(s['items']), 'members,', sum(i['visits'] for i in s['items']), 'visits this year,', s['orgs_without_liaison'], 'orgs without liaison')"
get "/api/v1/checks" | python3 -c "import json,sys,collections; print(dict(collections.Counter(c['rule'] for c in json.load(sys.stdin)['items'])))"
CHANNEL=$(get "/api/v1/channels?per_page=1" | json '["items"][0]["id"]')
ORG=$(get "/api/v1/liaisons?per_page=1" | json '["items"][0]["party_org_id"]')

run "/stats/liaison (memoized while nothing changes)" "/api/v1/stats/liaison?year=$YEAR"
run "/checks, whole tree, with the channel checks" "/api/v1/checks"
run "/channels, the first 50-row page" "/api/v1/channels?per_page=50"
run "/channels, a 50-row page (page 30)" "/api/v1/channels?per_page=50&page=30"
run "/channels?review_overdue=true, a 50-row page" "/api/v1/channels?per_page=50&review_overdue=true"

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
