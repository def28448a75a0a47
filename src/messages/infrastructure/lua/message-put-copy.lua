-- Stores a message copied from another Redis as it is, with its own times, unless it has expired,
-- is here or was copied here before, or its author has a tombstone. Runs after now-ms.lua and
-- message-put.lua.
-- KEYS[1] messages:by-expiry
-- KEYS[2] messages:by-author:<author id>
-- KEYS[3] messages:deleted-author:<author id>
-- KEYS[4] message:<id>
-- KEYS[5] messages:copied
-- ARGV[1] id, ARGV[2] text, ARGV[3] author id, ARGV[4] author email, ARGV[5] created ms,
-- ARGV[6] expires ms
-- Returns 'copied', or why not: 'expired', 'already-here' or 'author-deleted'.
local expiresAt = tonumber(ARGV[6])
if expiresAt <= now then return 'expired' end
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
if redis.call('EXISTS', KEYS[4]) == 1 or redis.call('ZSCORE', KEYS[5], ARGV[1]) then
  return 'already-here'
end
if redis.call('EXISTS', KEYS[3]) == 1 then return 'author-deleted' end
putMessage(KEYS[1], KEYS[2], KEYS[4], ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]),
  expiresAt)
-- Remembered while the message could be live, so that a copy deleted here meanwhile (by its
-- author, an admin, or its account's deletion) is not copied in again by a later run.
redis.call('ZADD', KEYS[5], expiresAt, ARGV[1])
expireWithLast(KEYS[5])
return 'copied'
