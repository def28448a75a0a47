// Baseline of the framework-floor case: GET /health on a plain node:http server, doing what the
// service's health check does (PostgreSQL `SELECT 1` on a pool of 20, Redis PING, both in
// parallel, 1.5 s each) and answering the same JSON, 503 when either fails.
// Usage: node bench/baselines/plain-health.mjs [port]   (or PORT=...; prints "ready" on stdout)
// Reads DATABASE_URL, REDIS_URL and REDIS_KEY_PREFIX like the service.
import { Buffer } from 'node:buffer';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { clearTimeout } from 'node:timers';
import { baselinePool, baselineRedis } from './connections.mjs';

const port = Number(process.argv[2] ?? process.env.PORT ?? 3911);
const CHECK_TIMEOUT_MS = 1500;

const pool = baselinePool();
const redis = baselineRedis();

/** Resolves to 'up' or 'down', within the timeout. */
async function check(work) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([work(), timeout]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

function send(response, status, body) {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    'cache-control': 'no-store',
  });
  response.end(json);
}

const server = createServer(async (request, response) => {
  if (request.method !== 'GET' || request.url.split('?', 1)[0] !== '/health') {
    send(response, 404, { statusCode: 404, error: 'Not Found', code: 'NOT_FOUND' });
    return;
  }
  const [database, cache] = await Promise.all([
    check(() => pool.query('SELECT 1')),
    check(() => redis.ping()),
  ]);
  const ok = database === 'up' && cache === 'up';
  send(response, ok ? 200 : 503, {
    status: ok ? 'ok' : 'error',
    checks: { database: { status: database }, redis: { status: cache } },
  });
});

await pool.query('SELECT 1');
if (redis.status !== 'ready') await once(redis, 'ready');
await redis.ping();
server.listen(port, '127.0.0.1', () => console.log(`ready ${port}`));

process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  Promise.allSettled([pool.end(), redis.quit()]).finally(() => process.exit(0));
});
