-- wrk script: optional method/body/headers from the environment, and a JSON summary with p50/p95/p99.
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local cookie = os.getenv("BENCH_COOKIE")
local token = os.getenv("BENCH_TOKEN")

request = function()
  local headers = {}
  if cookie then headers["Cookie"] = cookie end
  if token then headers["Authorization"] = "Bearer " .. token end
  if body then headers["Content-Type"] = "application/json" end
  return wrk.format(method, nil, headers, body)
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format('BENCH {"requests": %d, "seconds": %.3f, "non2xx": %d, "errors": %d, ' ..
    '"p50": %.2f, "p95": %.2f, "p99": %.2f}\n', summary.requests, summary.duration / 1e6,
    summary.errors.status, errors, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
