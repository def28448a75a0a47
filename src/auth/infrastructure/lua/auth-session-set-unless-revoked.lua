-- Sets a session's state unless it is already revoked: sessions never come back.
-- KEYS[1] auth:session:<session id>
-- ARGV[1] encoded state, ARGV[2] ttl s
-- Returns 1 when set, 0 when the session was revoked.
if redis.call('GET', KEYS[1]) == 'r' then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
