-- Counts a wrong code against a pending second-factor login; the login dies at the limit.
-- KEYS[1] the challenge; ARGV[1] the most wrong codes it survives.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
if redis.call('HINCRBY', KEYS[1], 'failures', 1) >= tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
end
return 1
