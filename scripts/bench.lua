-- wrk script: optional method/body/headers from the environment, and a JSON summary with p50/p95/p99.
dofile(os.getenv("BENCH_SCRIPTS") .. "/bench_report.lua")
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
  bench_report(summary, latency, nil)
end
