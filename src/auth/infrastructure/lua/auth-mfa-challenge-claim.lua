-- Counts one attempt at a pending second-factor login and returns its fields, or nil once it is
-- gone or has had its attempts (then it is deleted).
-- KEYS[1] the challenge; ARGV[1] the most attempts it allows.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return nil
end
if redis.call('HINCRBY', KEYS[1], 'attempts', 1) > tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  return nil
end
return redis.call('HMGET', KEYS[1], 'userId', 'emailKey', 'tokensValidAfter')
