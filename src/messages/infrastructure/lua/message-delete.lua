-- Deletes a message and its index entries, if it is still there.
-- KEYS[1] message:<id>
-- KEYS[2] messages:by-expiry
-- KEYS[3] messages:by-author:<author id>
-- ARGV[1] id
-- Returns 1 when deleted, 0 when the message was gone.
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return 1
