-- Deletes an author's messages and leaves the author's tombstone, if the author's index still
-- holds exactly the ids the caller read from it (a post or a delete may have come between).
-- KEYS[1] messages:by-expiry
-- KEYS[2] messages:by-author:<author id>
-- KEYS[3] messages:deleted-author:<author id>
-- KEYS[4..] message:<id> for each id, in ARGV's order
-- ARGV[1] tombstone ms, ARGV[2..] the ids
-- Returns the ids of the live messages deleted (the index may still name expired ones), or false,
-- changing nothing, when the index holds other ids.
local ids = {}
for i = 2, #ARGV do ids[#ids + 1] = ARGV[i] end
if redis.call('ZCARD', KEYS[2]) ~= #ids then return false end
for _, id in ipairs(ids) do
  if not redis.call('ZSCORE', KEYS[2], id) then return false end
end
local deleted = {}
for i, id in ipairs(ids) do
  if redis.call('DEL', KEYS[i + 3]) == 1 then deleted[#deleted + 1] = id end
  redis.call('ZREM', KEYS[1], id)
end
redis.call('DEL', KEYS[2])
redis.call('SET', KEYS[3], '1', 'PX', ARGV[1])
return deleted
