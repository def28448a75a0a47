-- The stream's entries after an event id. Runs after now-ms.lua and stream-trim-by-age.lua.
-- KEYS[1] messages:events
-- ARGV[1] max age ms, ARGV[2] event id, ARGV[3] max entries
-- Returns false when the stream does not hold that id (never did, trimmed away, or from before a
-- Redis restart), else the entries after it.
if redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])[1] == nil then return false end
return redis.call('XRANGE', KEYS[1], '(' .. ARGV[2], '+', 'COUNT', ARGV[3])
