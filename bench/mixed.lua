-- wrk script for bench/concurrent.py: every request is the next line of a file
-- of request paths (thread i of n takes lines i, i+n, i+2n, ...), and the
-- summary is printed as one JSON line.
--   wrk -t N -c C -d 15s -s bench/mixed.lua http://127.0.0.1:PORT -- PATHS_FILE N
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  step = tonumber(args[2])
  sent = 0
end

function request()
  local i = (id + sent * step) % #paths + 1
  sent = sent + 1
  return wrk.format("GET", paths[i])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "status_errors": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
