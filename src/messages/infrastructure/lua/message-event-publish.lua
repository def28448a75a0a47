-- Appends an event to the stream and publishes it. Runs after now-ms.lua and
-- stream-trim-by-age.lua. A stream that gets no new entry expires once its newest one is too old.
-- KEYS[1] messages:events
-- ARGV[1] max age ms, ARGV[2] max entries, ARGV[3] type, ARGV[4] message id,
-- ARGV[5] pub/sub channel (a channel, not a key), ARGV[6] live payload,
-- ARGV[7] PUBLISH on one server, SPUBLISH on a cluster (the channel shares the stream's slot)
-- Returns the entry's id.
local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], '*', 'type', ARGV[3], 'message', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call(ARGV[7], ARGV[5], id .. ' ' .. ARGV[6])
return id
