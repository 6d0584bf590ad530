-- wrk script: sends the bearer token (env BENCH_TOKEN) or a session cookie (env BENCH_COOKIE)
-- with every request, and prints latency percentiles in one parseable line.
local token = os.getenv("BENCH_TOKEN")
local cookie = os.getenv("BENCH_COOKIE")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f errors=%d\n",
    summary.requests, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout))
end
