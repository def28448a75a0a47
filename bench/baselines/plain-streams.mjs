// Baseline of the fan-out case: GET /messages/stream on a plain node:http server, fed as the
// service's streams are (message-stream.hub.ts, redis-message-event.bus.ts): one ioredis
// subscription to the live channel `<REDIS_KEY_PREFIX>{board}:messages:events`, whose payloads are
// `<entry id> <wire event JSON>`; each event is turned once into the service's frame
// (`event:message.created`, `id:<entry id>`, `data:` the message as the API answers it) and written
// to every open response. Same headers, `retry:` field, heartbeat comment and unsent-bytes cap as
// the service; no replay (Last-Event-ID) and no per-address limit: the case opens fresh streams.
// The channel's name comes from the service's key layout module (dist/src/common/redis/
// key-namespaces.js).
// Usage: node bench/baselines/plain-streams.mjs [port]   (or PORT=...; prints "ready" on stdout)
// Reads REDIS_URL and REDIS_KEY_PREFIX like the service. Needs `npm run build` first.
import { once } from 'node:events';
import { clearInterval, setInterval } from 'node:timers';
import { baselineRedis, keyPrefix, messageResponse, sendJson, serve } from './connections.mjs';
import { redisKeys } from '../../dist/src/common/redis/key-namespaces.js';

const port = Number(process.argv[2] ?? process.env.PORT ?? 3917);
/** Pub/sub channels ignore the client's key prefix: the service writes it into the name. */
const CHANNEL = `${keyPrefix}${redisKeys.messagesEvents()}`;
// As message-stream.hub.ts and better-sse's defaults.
const HEARTBEAT_MS = 15_000;
const RETRY_MS = 3_000;
const MAX_UNSENT_BYTES = 256 * 1024;
const HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'private, no-cache, no-store, no-transform, must-revalidate, max-age=0',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

const open = new Set();

// A connection of its own for the subscription, as the service's bus makes one.
const subscriber = baselineRedis();
if (subscriber.status !== 'ready') await once(subscriber, 'ready');
subscriber.on('message', (_channel, payload) => broadcast(payload));
await subscriber.subscribe(CHANNEL);

/** Built once per event, as the hub's frameOf, then written to every stream. */
function broadcast(payload) {
  const space = payload.indexOf(' ');
  const id = payload.slice(0, space);
  const event = JSON.parse(payload.slice(space + 1));
  const data = event.type === 'message.created' ? messageResponse(event.message) : { id: event.id };
  const frame = `event:${event.type}\nid:${id}\ndata:${JSON.stringify(data)}\n\n`;
  for (const response of open) {
    if (response.writableEnded || response.destroyed) continue;
    response.write(frame);
    if (response.writableLength > MAX_UNSENT_BYTES) response.destroy();
  }
}

function handle(request, response) {
  if (request.method !== 'GET' || request.url.split('?', 1)[0] !== '/messages/stream') {
    sendJson(response, 404, { statusCode: 404, error: 'Not Found', code: 'NOT_FOUND' });
    return;
  }
  request.socket.setNoDelay(true);
  response.writeHead(200, HEADERS);
  response.write(`retry:${RETRY_MS}\n\n`);
  const heartbeat = setInterval(() => response.write(':\n\n'), HEARTBEAT_MS);
  open.add(response);
  response.once('close', () => {
    clearInterval(heartbeat);
    open.delete(response);
  });
}

await serve(port, handle, { redis: subscriber });
