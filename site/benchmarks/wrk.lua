-- wrk script for `manage.py web_benchmark` (make bench). Configured from the environment:
--   BENCH_PATHS     paths to request, separated by spaces, taken in turn ("/")
--   BENCH_METHOD    GET or POST (GET)
--   BENCH_BODY      a POST body; "{token}" is replaced by the session's CSRF token
--   BENCH_SESSIONS  sessions to spread requests over, one a line: "Cookie header<TAB>token",
--                   then optionally "<TAB>path<TAB>body": that session's own path and POST body
--                   (a flow's URLs and forms carry the session's own journey key; another
--                   session's would be answered with a redirect, not the page)
--   BENCH_HEADER    one extra header, "Name: value" (e.g. "Cache-Control: no-cache")
-- Every request carries a different X-Real-IP, as if sent by many residents (the benchmark's
-- server counts rate limits by that header). done() prints one BENCH_RESULT line: requests,
-- duration, p50/p95 latency (microseconds), wrk's errors and responses by status class.

local paths, sessions = {}, {}
for p in string.gmatch(os.getenv("BENCH_PATHS") or "/", "[^ ]+") do
  paths[#paths + 1] = p
end
for line in string.gmatch(os.getenv("BENCH_SESSIONS") or "", "[^\n]+") do
  local parts = {}
  for part in string.gmatch(line .. "\t", "([^\t]*)\t") do parts[#parts + 1] = part end
  if #parts >= 2 then
    sessions[#sessions + 1] = {
      cookie = parts[1],
      token = parts[2],
      path = (parts[3] or "") ~= "" and parts[3] or nil,
      body = (parts[4] or "") ~= "" and parts[4] or nil,
    }
  end
end
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local header_name, header_value = (os.getenv("BENCH_HEADER") or ""):match("^([^:]+):%s*(.*)$")

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end

function init(args)
  n = 0
  c1, c2, c3, c4, c5 = 0, 0, 0, 0, 0
end

function request()
  n = n + 1
  local headers = {}
  headers["X-Real-IP"] = string.format("10.%d.%d.%d", id % 250, math.floor(n / 250) % 250, n % 250 + 1)
  if header_name then headers[header_name] = header_value end
  local this_body, path = nil, paths[n % #paths + 1]
  if #sessions > 0 then
    local session = sessions[(n + id) % #sessions + 1]
    headers["Cookie"] = session.cookie
    path = session.path or path
    local session_body = session.body or body
    if method == "POST" and session_body then
      -- (a function, so that a "%" in the token could never be read as a pattern)
      this_body = session_body:gsub("{token}", function() return session.token end)
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    end
  end
  return wrk.format(method, path, headers, this_body)
end

function response(status, headers, body)
  if status < 200 then c1 = c1 + 1
  elseif status < 300 then c2 = c2 + 1
  elseif status < 400 then c3 = c3 + 1
  elseif status < 500 then c4 = c4 + 1
  else c5 = c5 + 1 end
end

function done(summary, latency, requests)
  local c = { 0, 0, 0, 0, 0 }
  for _, thread in ipairs(threads) do
    for i = 1, 5 do c[i] = c[i] + (thread:get("c" .. i) or 0) end
  end
  io.write(string.format(
    "BENCH_RESULT requests=%d duration_us=%d p50_us=%d p95_us=%d errors_connect=%d "
      .. "errors_read=%d errors_write=%d errors_timeout=%d errors_status=%d "
      .. "status_1xx=%d status_2xx=%d status_3xx=%d status_4xx=%d status_5xx=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status, c[1], c[2], c[3], c[4], c[5]))
end
