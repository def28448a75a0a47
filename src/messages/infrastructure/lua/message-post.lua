-- Stores a message and indexes it, unless its author has a tombstone. Runs after now-ms.lua.
-- KEYS[1] messages:by-expiry
-- KEYS[2] messages:by-author:<author id>
-- KEYS[3] messages:deleted-author:<author id>
-- KEYS[4] message:<id>
-- ARGV[1] id, ARGV[2] text, ARGV[3] author id, ARGV[4] author email, ARGV[5] ttl ms
-- Returns the stored body, or false, storing nothing, when the author has a tombstone.
if redis.call('EXISTS', KEYS[3]) == 1 then return false end
local expiresAt = now + tonumber(ARGV[5])
local body = cjson.encode({ id = ARGV[1], text = ARGV[2], authorId = ARGV[3], authorEmail = ARGV[4],
  createdAt = now, expiresAt = expiresAt })
redis.call('SET', KEYS[4], body, 'PXAT', expiresAt)
for _, index in ipairs({ KEYS[1], KEYS[2] }) do
  redis.call('ZREMRANGEBYSCORE', index, '-inf', now)
  redis.call('ZADD', index, expiresAt, ARGV[1])
end
-- The author index lives as long as the author's last message.
local last = redis.call('ZRANGE', KEYS[2], 0, 0, 'REV', 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[2], last[2])
return body
