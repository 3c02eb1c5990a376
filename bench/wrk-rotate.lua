-- wrk script of bench/accept-path.sh: each request takes the next line of a file "<token> <path>",
-- threads taking alternate lines, so every request is another user's and (with "once") another
-- resource's. Arguments (after --): file, method, body, "once" or "cycle", thread count.
-- With "once", a thread that has used all its lines stops (the benchmark then reports a lower bound).
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
end

function init(args)
  lines = {}
  for line in io.lines(args[1]) do
    local token, path = line:match("(%S+) (%S+)")
    lines[#lines + 1] = { token, path }
  end
  method = args[2]
  body = args[3] ~= "" and args[3] or nil
  once = args[4] == "once"
  step = tonumber(args[5])
  pos = index + 1
end

function request()
  if pos > #lines then
    if once then
      wrk.thread:stop()
    end
    pos = index + 1
  end
  local line = lines[pos]
  pos = pos + step
  local headers = { ["Authorization"] = "Bearer " .. line[1] }
  if body then
    headers["Content-Type"] = "application/json"
  end
  return wrk.format(method, line[2], headers, body)
end
