-- Sets a user's state unless the cached one has a later tokensValidAfter (its last field).
-- KEYS[1] auth:user:<user id>
-- ARGV[1] encoded state, ARGV[2] its tokensValidAfter ms, ARGV[3] ttl s
-- Returns 1 when set, 0 when the cached state is newer.
local current = redis.call('GET', KEYS[1])
if current and tonumber(string.match(current, '([^|]+)$')) > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1
