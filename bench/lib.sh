# Shared by the module benchmarks (bench/reports.sh, training.sh, liaison.sh): settings,
# the release build, the seed, a server on a free port with an admin token, and the
# measuring helpers. Source it with `. "$(dirname "$0")/lib.sh"` after setting WORK's
# default (BENCH_DIR overrides it); then call `seed ARGS...` and `serve`.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
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

# `seed --orgs 2000 ...`: the synthetic data, timed.
seed() {
  say "seed: dangjian seed --db ${DB%%\?*} $*"
  /usr/bin/time -f "seed wall %es, max RSS %MkB" "$BIN" seed --db "$DB" "$@"
}

# The server on a free port; sets SERVER_PID, URL and TOKEN (admin's), stops it on exit.
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; }
trap cleanup EXIT
serve() {
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
}

get() { curl -sf -H "Authorization: Bearer $TOKEN" "$URL$1"; }
# `run LABEL PATH`: wrk after a 3 s warm-up; prints the RESULT line of auth.lua.
run() {
  say "$1: wrk -t$THREADS -c$CONNS -d$DURATION --latency $URL$2"
  BENCH_TOKEN="$TOKEN" wrk -t"$THREADS" -c"$CONNS" -d3s -s "$LUA" "$URL$2" >/dev/null
  BENCH_TOKEN="$TOKEN" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -s "$LUA" "$URL$2" | grep RESULT
}
p50() { sort -n | awk '{ t[NR] = $1 } END { printf "p50 %.1f ms, max %.1f ms (%d requests)\n", t[int((NR + 1) / 2)] * 1000, t[NR] * 1000, NR }'; }
timed_get() { curl -s -o "${2:-/dev/null}" -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "$URL$1"; }
