-- Chooses a page of the listing: the live ids after the cursor, in (expiry, id) order. The caller
-- then reads their bodies, whose keys it names itself. Runs after now-ms.lua.
-- KEYS[1] messages:by-expiry
-- ARGV[1] the cursor's expiry ms ('' for the first page), ARGV[2] the cursor's id, ARGV[3] limit
-- Returns '1' or '0' (whether more follow), then the id and expiry ms of up to limit messages.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local limit = tonumber(ARGV[3])
local afterScore = tonumber(ARGV[1])
local min = afterScore and ARGV[1] or ('(' .. now)
local ids, scores = {}, {}
local offset = 0
-- Ties on the expiry are ordered by id; those up to the cursor's id were on earlier pages.
while #ids <= limit do
  local batch = redis.call('ZRANGE', KEYS[1], min, '+inf', 'BYSCORE', 'LIMIT', offset, limit + 1, 'WITHSCORES')
  if #batch == 0 then break end
  for i = 1, #batch, 2 do
    if not afterScore or tonumber(batch[i + 1]) > afterScore or batch[i] > ARGV[2] then
      ids[#ids + 1] = batch[i]
      scores[#scores + 1] = batch[i + 1]
      if #ids > limit then break end
    end
  end
  offset = offset + (limit + 1)
end
local result = { #ids > limit and '1' or '0' }
for i = 1, math.min(#ids, limit) do
  result[#result + 1] = ids[i]
  result[#result + 1] = scores[i]
end
return result
