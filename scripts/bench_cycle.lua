-- wrk script: each request takes the next line of a list, so that a page is loaded as many readers load it
-- and not as one request repeated.
--   BENCH_PATH          the path requested (for a search, ending in "?q=")
--   BENCH_QUERIES_FILE  one search a line (UTF-8): each request appends the next one, URL-encoded, to the path
--   BENCH_COOKIES_FILE  one Cookie header a line: each request is signed in as the next user
--   BENCH_COOKIE        one Cookie header for every request (where there is no cookie list)
--   BENCH_THREADS       wrk's -t: thread k of n starts k/n of the way into each list, and then goes round it
dofile(os.getenv("BENCH_SCRIPTS") .. "/bench_report.lua")

local function lines(name)
  local list = {}
  if name and name ~= "" then
    for line in io.lines(name) do
      if line ~= "" then table.insert(list, line) end
    end
  end
  return list
end

local function encode(value)
  return (string.gsub(value, "[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local path = os.getenv("BENCH_PATH")
local cookie = os.getenv("BENCH_COOKIE")
local queries = lines(os.getenv("BENCH_QUERIES_FILE"))
local cookies = lines(os.getenv("BENCH_COOKIES_FILE"))
local count = tonumber(os.getenv("BENCH_THREADS") or "1")
for i, query in ipairs(queries) do queries[i] = encode(query) end

local made = 0
threads = {}
setup = function(thread)
  thread:set("first", made)
  made = made + 1
  table.insert(threads, thread)
end

local counter = 0
local function next_of(list)
  local start = math.floor((first or 0) * #list / count)
  return list[(start + counter) % #list + 1]
end

request = function()
  local headers = {}
  local target = path
  if #queries > 0 then target = target .. next_of(queries) end
  if #cookies > 0 then
    headers["Cookie"] = next_of(cookies)
  elseif cookie then
    headers["Cookie"] = cookie
  end
  counter = counter + 1
  return wrk.format("GET", target, headers, nil)
end

done = function(summary, latency, requests)
  bench_report(summary, latency, nil)
end
