-- Shared by the event scripts, after now-ms.lua: drops the entries of the stream KEYS[1] older
-- than ARGV[1] ms, by Redis' clock (stream ids are dated by it too).
redis.call('XTRIM', KEYS[1], 'MINID', now - tonumber(ARGV[1]))
