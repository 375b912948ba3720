-- wrk script: the proposal office registers (numbers) submitted proposals through the API, each once.
-- BENCH_IDS_FILE lists the ids of submitted proposals, one per line; thread k of n takes ids k, k+n, k+2n...
dofile(os.getenv("BENCH_SCRIPTS") .. "/bench_report.lua")
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
  return wrk.format("POST", "/api/v1/proposals/" .. id .. "/register", headers, '{"note": ""}')
end

registered = 0
response = function(status, _headers, text)
  if status == 200 then registered = registered + 1 end
end

done = function(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + (thread:get("registered") or 0) end
  bench_report(summary, latency, total)
end
