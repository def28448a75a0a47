import { Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { defineRedisScript, type RedisScript } from '../../common/redis';
import { TranslateErrors } from '../../common/errors';
import type { PagePosition } from '../../common/pagination';
import { translateRedisError } from '../../common/redis';
import { Message } from '../domain/message';
import { fromRecord, type MessageRecord } from './message.record';
import { type MessageDraft, type MessagePage, MessageStore } from '../domain/message.store';

/**
 * Layout, under the client's key prefix:
 *   message:<id>                 the message as JSON, expiring by itself at its expiry (PXAT)
 *   messages:by-expiry           sorted set of live ids, scored by expiry in ms: the listing order
 *   messages:by-author:<userId>  the same for one author, to delete an account's messages
 *   messages:deleted-author:<userId>
 *                                a deleted account's tombstone, which refuses its posts
 * Each operation is one Lua script (one round trip, atomic). Index entries of expired messages
 * are removed by the writes and reads that pass by, with ZREMRANGEBYSCORE: each entry is removed
 * once, so the work stays proportional to what expired, never to what is live.
 * All times come from Redis' own clock, so instances with skewed clocks agree.
 */
const BY_EXPIRY = 'messages:by-expiry';
const byAuthor = (userId: string) => `messages:by-author:${userId}`;
const messageKey = (id: string) => `message:${id}`;
const tombstone = (userId: string) => `messages:deleted-author:${userId}`;

const NOW_MS = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)`;

/**
 * KEYS: by-expiry, by-author, tombstone. ARGV: key prefix, id, text, author id, author email,
 * ttl ms. Returns nil, storing nothing, when the author has a tombstone.
 */
const POST = `
if redis.call('EXISTS', KEYS[3]) == 1 then return false end
${NOW_MS}
local expiresAt = now + tonumber(ARGV[6])
local body = cjson.encode({ id = ARGV[2], text = ARGV[3], authorId = ARGV[4], authorEmail = ARGV[5],
  createdAt = now, expiresAt = expiresAt })
redis.call('SET', ARGV[1] .. 'message:' .. ARGV[2], body, 'PXAT', expiresAt)
for _, index in ipairs({ KEYS[1], KEYS[2] }) do
  redis.call('ZREMRANGEBYSCORE', index, '-inf', now)
  redis.call('ZADD', index, expiresAt, ARGV[2])
end
-- The author index lives as long as the author's last message.
local last = redis.call('ZRANGE', KEYS[2], 0, 0, 'REV', 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[2], last[2])
return body`;

/**
 * KEYS: by-expiry. ARGV: key prefix, after expiry ms ('' for the first page), after id, limit.
 * Returns '1' or '0' (whether more follow), then up to limit bodies.
 */
const LIST = `${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local limit = tonumber(ARGV[4])
local afterScore = tonumber(ARGV[2])
local min = afterScore and ARGV[2] or ('(' .. now)
local ids = {}
local offset = 0
-- Ties on the expiry are ordered by id; those up to the cursor's id were on earlier pages.
while #ids <= limit do
  local batch = redis.call('ZRANGE', KEYS[1], min, '+inf', 'BYSCORE', 'LIMIT', offset, limit + 1, 'WITHSCORES')
  if #batch == 0 then break end
  for i = 1, #batch, 2 do
    if not afterScore or tonumber(batch[i + 1]) > afterScore or batch[i] > ARGV[3] then
      ids[#ids + 1] = batch[i]
      if #ids > limit then break end
    end
  end
  offset = offset + (limit + 1)
end
local result = { #ids > limit and '1' or '0' }
for i = 1, math.min(#ids, limit) do
  local body = redis.call('GET', ARGV[1] .. 'message:' .. ids[i])
  if body then result[#result + 1] = body end
end
return result`;

/** KEYS: by-expiry. ARGV: key prefix, id. */
const DELETE = `
local key = ARGV[1] .. 'message:' .. ARGV[2]
local body = redis.call('GET', key)
if not body then return 0 end
redis.call('DEL', key)
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('ZREM', ARGV[1] .. 'messages:by-author:' .. cjson.decode(body).authorId, ARGV[2])
return 1`;

/** KEYS: by-expiry, by-author, tombstone. ARGV: key prefix, tombstone ms. */
const DELETE_BY_AUTHOR = `
local ids = redis.call('ZRANGE', KEYS[2], 0, -1)
for _, id in ipairs(ids) do
  redis.call('DEL', ARGV[1] .. 'message:' .. id)
  redis.call('ZREM', KEYS[1], id)
end
redis.call('DEL', KEYS[2])
redis.call('SET', KEYS[3], '1', 'PX', ARGV[2])
return ids`;

@Injectable()
@TranslateErrors(translateRedisError)
export class RedisMessageStore extends MessageStore {
  private readonly prefix: string;
  private readonly postScript: RedisScript<string | null>;
  private readonly listScript: RedisScript<string[]>;
  private readonly deleteScript: RedisScript<number>;
  private readonly deleteByAuthorScript: RedisScript<string[]>;

  constructor(private readonly redis: Redis) {
    super();
    // Keys named inside the scripts need the prefix that ioredis adds to KEYS.
    this.prefix = redis.options.keyPrefix ?? '';
    this.postScript = defineRedisScript(redis, 'messagePost', 3, POST);
    this.listScript = defineRedisScript(redis, 'messageList', 1, LIST);
    this.deleteScript = defineRedisScript(redis, 'messageDelete', 1, DELETE);
    this.deleteByAuthorScript = defineRedisScript(
      redis,
      'messageDeleteByAuthor',
      3,
      DELETE_BY_AUTHOR,
    );
  }

  async post(draft: MessageDraft): Promise<Message | null> {
    const body = await this.postScript(
      [BY_EXPIRY, byAuthor(draft.authorId), tombstone(draft.authorId)],
      [
        this.prefix,
        draft.id,
        draft.text,
        draft.authorId,
        draft.authorEmail,
        draft.ttlSeconds * 1000,
      ],
    );
    return body === null ? null : toMessage(body);
  }

  async findById(id: string): Promise<Message | null> {
    const body = await this.redis.get(messageKey(id));
    return body ? toMessage(body) : null;
  }

  async findByIds(ids: readonly string[]): Promise<Message[]> {
    if (ids.length === 0) return [];
    const bodies = await this.redis.mget(ids.map(messageKey));
    return bodies.flatMap((body) => (body ? [toMessage(body)] : []));
  }

  async listPage(limit: number, after: PagePosition | null): Promise<MessagePage> {
    const [more, ...bodies] = await this.listScript(
      [BY_EXPIRY],
      [this.prefix, after ? String(after.at) : '', after?.id ?? '', limit],
    );
    const items = bodies.map(toMessage);
    const last = items.at(-1);
    return {
      items,
      next: more === '1' && last ? { at: last.expiresAt.getTime(), id: last.id } : null,
    };
  }

  async delete(id: string): Promise<boolean> {
    return (await this.deleteScript([BY_EXPIRY], [this.prefix, id])) === 1;
  }

  deleteByAuthor(authorId: string, tombstoneMs: number): Promise<string[]> {
    return this.deleteByAuthorScript(
      [BY_EXPIRY, byAuthor(authorId), tombstone(authorId)],
      [this.prefix, tombstoneMs],
    );
  }

  async removeTombstone(authorId: string): Promise<void> {
    await this.redis.del(tombstone(authorId));
  }
}

function toMessage(body: string): Message {
  return fromRecord(JSON.parse(body) as MessageRecord);
}
