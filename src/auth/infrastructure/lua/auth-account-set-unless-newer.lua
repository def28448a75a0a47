-- Sets a user's cached account unless the cached copy is newer: a higher revision (its first field).
-- KEYS[1] {u:<user id>}:auth:account
-- ARGV[1] encoded account, ARGV[2] its revision, ARGV[3] ttl s
-- Returns 1 when set, 0 when the cached copy is newer.
local current = redis.call('GET', KEYS[1])
local revision = current and tonumber(string.match(current, '^(%d+)|'))
if revision and revision > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1
