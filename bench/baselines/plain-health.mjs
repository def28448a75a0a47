// Baseline of the framework-floor case: GET /health on a plain node:http server, doing what the
// service's health check does (PostgreSQL `SELECT 1` on a pool of 20, Redis PING, both in
// parallel, 1.5 s each) and answering the same JSON, 503 when either fails.
// Usage: node bench/baselines/plain-health.mjs [port]   (or PORT=...; prints "ready" on stdout)
// Reads DATABASE_URL, REDIS_URL and REDIS_KEY_PREFIX like the service.
import { clearTimeout } from 'node:timers';
import { baselinePool, baselineRedis, sendJson, serve } from './connections.mjs';

const port = Number(process.argv[2] ?? process.env.PORT ?? 3911);
const CHECK_TIMEOUT_MS = 1500;
/** The service's health answers are never cached. */
const NO_STORE = { 'cache-control': 'no-store' };

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

async function handle(request, response) {
  if (request.method !== 'GET' || request.url.split('?', 1)[0] !== '/health') {
    sendJson(response, 404, { statusCode: 404, error: 'Not Found', code: 'NOT_FOUND' }, NO_STORE);
    return;
  }
  const [database, cache] = await Promise.all([
    check(() => pool.query('SELECT 1')),
    check(() => redis.ping()),
  ]);
  const ok = database === 'up' && cache === 'up';
  sendJson(
    response,
    ok ? 200 : 503,
    {
      status: ok ? 'ok' : 'error',
      checks: { database: { status: database }, redis: { status: cache } },
    },
    NO_STORE,
  );
}

await serve(port, handle, { pool, redis });
