#!/usr/bin/env bash
# M6 benchmarks (issue 14), with every module seeded: 2,000 orgs, 5,000 societies, 200,000
# activities, 20,000 assignments and rectifications, 10 report forms, 300 funded projects,
# 5 campaigns, 8,000 office-holders, and this year's assessment scheme scored for most orgs.
# /assessments?scheme_id= for every assessed org (500 and the default 50 a page; memoized
# while nothing changes, and afresh right after a score is written), one org's assessment
# (also right after a write), the per-org alternative (each org's assessment computed alone,
# over its own subtree, for every org), peak memory.
#
#   bench/assessment.sh                                   # SQLite, release build first
#   BENCH_BIN=path/to/dangjian bench/assessment.sh
#   BENCH_DB=postgres://postgres@127.0.0.1:PORT/db bench/assessment.sh   # PostgreSQL
#
# Needs: cargo, wrk, curl, python3.
set -euo pipefail

WORK=${BENCH_DIR:-/tmp/bench-assessment}
. "$(dirname "$0")/lib.sh"
seed --orgs 2000 --societies 5000 --activities 200000 --assignments 20000 --rectifications 20000 \
  --report-forms 10 --funded-projects 300 --campaigns 5 --office-holders 8000 --schemes 1
serve
SCHEME=$(get "/api/v1/assessment-schemes?per_page=1" | json '["items"][0]["id"]')
# a manual leaf of the scheme
LEAF=$(get "/api/v1/assessment-schemes/$SCHEME" |
  python3 -c "import json,sys; print(next(i['id'] for i in json.load(sys.stdin)['indicators'] if i.get('method') == 'manual'))")
LIST="/api/v1/assessments?scheme_id=$SCHEME"
# one branch (no subtree) and the first general branch (the largest subtree)
BRANCH=$(get "$LIST&per_page=1&page=1000" | json '["items"][0]["party_org_id"]')
GENERAL=$(get "$LIST&per_page=1" | json '["items"][0]["party_org_id"]')
say "scheme $SCHEME, manual leaf $LEAF, branch $BRANCH, general branch $GENERAL"
get "$LIST&per_page=500" | python3 -c "
import json,sys,collections
d=json.load(sys.stdin)
print(d['total'], 'assessed orgs; first page:', dict(collections.Counter(a['grade'] for a in d['items'])),
      sum(1 for a in d['items'] if not a['complete']), 'incomplete,', len(json.dumps(d)) // 1024, 'KiB')"
for g in A B C; do printf '%s %s  ' "$g" "$(get "$LIST&grade=$g&per_page=1" | json '["total"]')"; done; echo

run "/assessments, 500 a page (memoized while nothing changes)" "$LIST&per_page=500"
run "/assessments, default 50 a page" "$LIST"
run "/assessments, sort=-total, grade=B, 50 a page" "$LIST&sort=-total&grade=B"
run "/assessments?party_org_id= one branch" "$LIST&party_org_id=$BRANCH"
run "/assessments?party_org_id= a general branch (its subtree)" "$LIST&party_org_id=$GENERAL"

put_score() {
  curl -s -o /dev/null -X PUT -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "{\"party_org_id\":$1,\"indicator_id\":$LEAF,\"score\":$2,\"comment\":\"bench\"}" "$URL/api/v1/assessments/$SCHEME/scores"
}
for q in "per_page=500" "per_page=50"; do
  say "/assessments?$q, one request at a time, each right after a write (a score of org $BRANCH)"
  for i in $(seq 1 20); do
    put_score "$BRANCH" "$((i % 5)).5"
    timed_get "$LIST&$q"
  done | p50
done
for org in "$BRANCH" "$GENERAL"; do
  say "/assessments?party_org_id=$org, one request at a time, each right after a write (a score of that org)"
  for i in $(seq 1 20); do
    put_score "$org" "$((i % 5)).5"
    timed_get "$LIST&party_org_id=$org"
  done | p50
done
say "/assessments/{scheme}/scores PUT (the write itself, which reads the org's assessment)"
for i in $(seq 1 20); do
  curl -s -o /dev/null -w '%{time_total}\n' -X PUT -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "{\"party_org_id\":$BRANCH,\"indicator_id\":$LEAF,\"score\":$((i % 5)).5,\"comment\":\"bench\"}" "$URL/api/v1/assessments/$SCHEME/scores"
done | p50

# The per-org alternative: every org's assessment computed alone over its own subtree
# (what the one-org path does), one request each, right after a write.
ORGS=$(for p in 1 2 3 4; do get "$LIST&per_page=500&page=$p" | python3 -c "import json,sys; print(' '.join(str(a['party_org_id']) for a in json.load(sys.stdin)['items']))"; done | tr '\n' ' ')
N=$(echo $ORGS | wc -w)
SAMPLE=${BENCH_PER_ORG:-400}
put_score "$BRANCH" 1.5
say "per-org alternative: the first $SAMPLE of $N orgs one request each in a row, after a write (then scaled to $N)"
START=$(date +%s.%N)
for o in $(echo $ORGS | tr ' ' '\n' | head -n "$SAMPLE"); do curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL$LIST&party_org_id=$o"; done
python3 -c "import sys; w=float(sys.argv[1]); print(f'wall {w:.2f} s for {sys.argv[2]}, {w * int(sys.argv[3]) / int(sys.argv[2]):.1f} s for all {sys.argv[3]}')" \
  "$(echo "$(date +%s.%N) - $START" | bc)" "$SAMPLE" "$N"
say "the grouped figure, for comparison: the whole list once, after a write"
put_score "$BRANCH" 2.5
timed_get "$LIST&per_page=500"
grep -E 'VmHWM|VmRSS' "/proc/$SERVER_PID/status"
