-- wrk script: the proposal office registers (numbers) submitted proposals through the API, each once.
-- BENCH_IDS_FILE lists the ids of submitted proposals, one per line; thread k of n takes ids k, k+n, k+2n...
local token = os.getenv("BENCH_TOKEN")
local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS_FILE")) do table.insert(ids, line) end
local counter = 0
threads = {}

setup = function(thread)
  thread:set("first", #threads)
  thread:set("step", 2)  -- wrk -t2
  table.insert(threads, thread)
end

request = function()
  local index = first + step * counter + 1
  counter = counter + 1
  local id = ids[index] or ids[#ids]  -- past the end: a repeat, refused (409) and counted as non-2xx
  return wrk.format("POST", "/api/v1/proposals/" .. id .. "/actions/register", headers, '{"note": ""}')
end

registered = 0
response = function(status, _headers, text)
  if status == 200 then registered = registered + 1 end
end

done = function(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + (thread:get("registered") or 0) end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format('BENCH {"requests": %d, "seconds": %.3f, "non2xx": %d, "errors": %d, ' ..
    '"p50": %.2f, "p95": %.2f, "p99": %.2f, "completed": %d}\n', summary.requests, summary.duration / 1e6,
    summary.errors.status, errors, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, total))
end
