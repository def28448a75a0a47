-- Shared fragment, after now-ms.lua: how every message is stored (posted here or copied in from
-- another Redis), so both leave the same body and the same index entries.

-- An index lives as long as its last entry.
local function expireWithLast(index)
  local last = redis.call('ZRANGE', index, 0, 0, 'REV', 'WITHSCORES')
  redis.call('PEXPIREAT', index, last[2])
end

-- Stores the message's body until its expiry and indexes it by expiry, on the board and in its
-- author's index. Times are in ms. Returns the body.
local function putMessage(byExpiry, byAuthor, messageKey, id, text, authorId, authorEmail,
    createdAt, expiresAt)
  local body = cjson.encode({ id = id, text = text, authorId = authorId, authorEmail = authorEmail,
    createdAt = createdAt, expiresAt = expiresAt })
  redis.call('SET', messageKey, body, 'PXAT', expiresAt)
  for _, index in ipairs({ byExpiry, byAuthor }) do
    redis.call('ZREMRANGEBYSCORE', index, '-inf', now)
    redis.call('ZADD', index, expiresAt, id)
  end
  expireWithLast(byAuthor)
  return body
end
