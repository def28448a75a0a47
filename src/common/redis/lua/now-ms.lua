-- Shared fragment, prepended to the scripts that need the time: `now`, in ms, by Redis' own
-- clock, so instances with skewed clocks agree.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
