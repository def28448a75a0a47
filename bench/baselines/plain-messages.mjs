// Baseline of the public-list case: GET /messages?limit=&cursor= on a plain node:http server with
// ioredis, making the same Redis calls as the service (its LIST Lua script, which picks the page's
// ids, then one MGET of their bodies) and answering the same JSON
// (src/messages/http/dto/message.response.ts).
// Neither the script nor the key names are copied: the service's own RedisMessageStore, imported
// from dist/ (no Nest application is started), registers the script on this client, and the
// keys come from its key layout module (dist/src/common/redis/key-namespaces.js).
// With BASELINE_BODIES=held it keeps, as the service does (listed-message.cache.ts), each body it
// has read, parsed and with its two times formatted, and reads only the bodies it does not hold:
// the "same work" baseline. By default it reads and formats every body on every request.
// Usage: node bench/baselines/plain-messages.mjs [port]   (or PORT=...; prints "ready" on stdout)
// Reads REDIS_URL and REDIS_KEY_PREFIX like the service. Needs `npm run build` first.
import { Buffer } from 'node:buffer';
import { URLSearchParams } from 'node:url';
import { baselineRedis, messageResponse, sendJson, serve } from './connections.mjs';
import { redisKeys } from '../../dist/src/common/redis/key-namespaces.js';
import { RedisMessageStore } from '../../dist/src/messages/infrastructure/redis-message.store.js';

const port = Number(process.argv[2] ?? process.env.PORT ?? 3915);
const PAGE_DEFAULT = 100;
const PAGE_MAX = 500;
/** The listing index (BY_EXPIRY in redis-message.store.ts); the client adds the key prefix. */
const BY_EXPIRY = redisKeys.messagesByExpiry();
const CURSOR = /^(\d{1,16}):([0-9a-f-]{36})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const redis = baselineRedis();
/** id → the answered message without its time left; only with BASELINE_BODIES=held. */
const held = process.env.BASELINE_BODIES === 'held' ? new Map() : null;

// Registers the store's scripts (EVALSHA, loaded once) on this client, under the names the
// service gives them; only the listing one is used.
new RedisMessageStore(redis);
if (typeof redis.messageList !== 'function') {
  throw new Error('dist/ RedisMessageStore no longer defines the messageList script: update me');
}

class BadRequest extends Error {}

/** The query of messages.service.ts / list-messages.query.ts: limit 1–500, opaque cursor. */
function readQuery(search) {
  const params = new URLSearchParams(search);
  const limitText = params.getAll('limit');
  const cursorText = params.getAll('cursor');
  if (limitText.length > 1 || cursorText.length > 1) throw new BadRequest();
  let limit = PAGE_DEFAULT;
  if (limitText.length === 1) {
    limit = Number(limitText[0]);
    if (!/^\d+$/.test(limitText[0]) || limit < 1 || limit > PAGE_MAX) throw new BadRequest();
  }
  let after = null;
  if (cursorText.length === 1) {
    const cursor = cursorText[0];
    const match =
      cursor.length <= 256 ? CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8')) : null;
    if (!match || !UUID.test(match[2]) || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new BadRequest();
    after = { expiresAt: Number(match[1]), id: match[2].toLowerCase() };
  }
  return { limit, after };
}

async function listMessages(search) {
  const { limit, after } = readQuery(search);
  const [more, ...entries] = await redis.messageList(
    1,
    BY_EXPIRY,
    after ? String(after.expiresAt) : '',
    after?.id ?? '',
    limit,
  );
  const ids = entries.filter((_, index) => index % 2 === 0);
  const now = Date.now();
  // As the store: the cursor is the last id the script chose, even if its body went meanwhile.
  const lastId = ids.at(-1);
  return {
    items: held ? await heldItems(ids, now) : await readItems(ids, now),
    nextCursor:
      more === '1' && lastId
        ? Buffer.from(`${entries.at(-1)}:${lastId}`).toString('base64url')
        : null,
  };
}

async function readItems(ids, now) {
  const bodies = ids.length > 0 ? await redis.mget(ids.map(redisKeys.message)) : [];
  const stored = bodies.flatMap((body) => (body ? [JSON.parse(body)] : []));
  return stored.map((message) => messageResponse(message, now));
}

/** The listed messages from those held, reading the others; held ones leave at their expiry. */
async function heldItems(ids, now) {
  const missing = ids.filter((id) => !held.has(id));
  if (missing.length > 0) {
    const bodies = await redis.mget(missing.map(redisKeys.message));
    for (const body of bodies) {
      if (!body) continue;
      const message = JSON.parse(body);
      const { expiresInMs: _, ...answered } = messageResponse(message, now);
      held.set(message.id, { answered, expiresAt: message.expiresAt });
      setTimeout(() => held.delete(message.id), message.expiresAt - now).unref();
    }
  }
  return ids.flatMap((id) => {
    const entry = held.get(id);
    if (!entry) return [];
    return [{ ...entry.answered, expiresInMs: Math.max(0, entry.expiresAt - now) }];
  });
}

async function handle(request, response) {
  const [path, search = ''] = request.url.split('?', 2);
  if (request.method !== 'GET' || path !== '/messages') {
    sendJson(response, 404, { statusCode: 404, error: 'Not Found', code: 'NOT_FOUND' });
    return;
  }
  try {
    sendJson(response, 200, await listMessages(search));
  } catch (error) {
    if (error instanceof BadRequest) {
      sendJson(response, 400, {
        statusCode: 400,
        error: 'Bad Request',
        code: 'VALIDATION_FAILED',
        message: 'Request validation failed.',
      });
    } else {
      // Only Redis can fail here.
      sendJson(response, 503, {
        statusCode: 503,
        error: 'Service Unavailable',
        code: 'SERVICE_UNAVAILABLE',
        message: 'Service unavailable.',
      });
    }
  }
}

await serve(port, handle, { redis });
