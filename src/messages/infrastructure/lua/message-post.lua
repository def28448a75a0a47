-- Stores a message and indexes it, unless its author has a tombstone. Runs after now-ms.lua and
-- message-put.lua.
-- KEYS[1] messages:by-expiry
-- KEYS[2] messages:by-author:<author id>
-- KEYS[3] messages:deleted-author:<author id>
-- KEYS[4] message:<id>
-- ARGV[1] id, ARGV[2] text, ARGV[3] author id, ARGV[4] author email, ARGV[5] ttl ms
-- Returns the stored body, or false, storing nothing, when the author has a tombstone.
if redis.call('EXISTS', KEYS[3]) == 1 then return false end
return putMessage(KEYS[1], KEYS[2], KEYS[4], ARGV[1], ARGV[2], ARGV[3], ARGV[4], now,
  now + tonumber(ARGV[5]))
