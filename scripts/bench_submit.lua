-- wrk script: proposal submission as a member does it through the API, create the draft then submit it.
-- Each thread keeps the ids of its drafts; a request submits one if there is one waiting, else creates one.
-- done() prints the JSON summary with how many proposals reached "submitted".
dofile(os.getenv("BENCH_SCRIPTS") .. "/bench_report.lua")
local token = os.getenv("BENCH_TOKEN")
local body = os.getenv("BENCH_BODY")
local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
local waiting = {}
submitted = 0
threads = {}

setup = function(thread)
  table.insert(threads, thread)
end

request = function()
  local id = table.remove(waiting)
  if id then
    return wrk.format("POST", "/api/v1/proposals/" .. id .. "/submit", headers, "{}")
  end
  return wrk.format("POST", "/api/v1/proposals", headers, body)
end

-- The answer is the proposal (ProposalOut): its own "id" comes first, its "state" somewhere after; nothing
-- nested in it has a "state".
response = function(status, _headers, text)
  local id = string.match(text or "", '^{ *"id": *(%d+)')
  local state = string.match(text or "", '"state": *"(%a+)"')
  if status == 201 and id and state == "draft" then
    table.insert(waiting, id)
  elseif status == 200 and state == "submitted" then
    submitted = submitted + 1
  end
end

done = function(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + (thread:get("submitted") or 0) end
  bench_report(summary, latency, total)
end
