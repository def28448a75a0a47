// What the baseline servers share: the PostgreSQL pool and Redis client, with the service's own
// settings (data-source.ts, redis.module.ts), so a comparison measures the server, not the
// drivers; JSON answers and the API's message shape; listening on loopback and stopping on SIGTERM.
import { Buffer } from 'node:buffer';
import { once } from 'node:events';
import { createServer } from 'node:http';
import Redis from 'ioredis';
import pg from 'pg';
import { BENCH_DATABASE_URL, BENCH_REDIS_URL } from '../lib/service.mjs';

export const keyPrefix = process.env.REDIS_KEY_PREFIX ?? 'tm:';

export function baselinePool() {
  const pool = new pg.Pool({
    connectionString: process.env.DATABASE_URL ?? BENCH_DATABASE_URL,
    max: 20,
    connectionTimeoutMillis: 2000,
    query_timeout: 5000,
    statement_timeout: 5000,
    application_name: 'tempmessenger-bench-baseline',
  });
  pool.on('error', () => undefined);
  return pool;
}

export function baselineRedis() {
  const redis = new Redis(process.env.REDIS_URL ?? BENCH_REDIS_URL, {
    keyPrefix,
    connectionName: 'tempmessenger-bench-baseline',
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 2000,
  });
  redis.on('error', () => undefined);
  return redis;
}

export function sendJson(response, status, body, headers = {}) {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    ...headers,
  });
  response.end(json);
}

/**
 * Serves `handle` on 127.0.0.1:`port` once the stores answer, printing "ready <port>" for the
 * bench; SIGTERM closes the server and the stores.
 */
export async function serve(port, handle, { pool, redis }) {
  const server = createServer(handle);
  if (pool) await pool.query('SELECT 1');
  if (redis.status !== 'ready') await once(redis, 'ready');
  await redis.ping();
  server.listen(port, '127.0.0.1', () => console.log(`ready ${port}`));
  process.once('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    Promise.allSettled([pool?.end(), redis.quit()]).finally(() => process.exit(0));
  });
}

/**
 * A stored message record (epoch-ms times) as the API answers it
 * (src/messages/http/dto/message.response.ts), at `now` ms.
 */
export function messageResponse(message, now = Date.now()) {
  return {
    id: message.id,
    message: message.text,
    email: message.authorEmail,
    userId: message.authorId,
    createdAt: new Date(message.createdAt).toISOString(),
    expiresAt: new Date(message.expiresAt).toISOString(),
    expiresInMs: Math.max(0, message.expiresAt - now),
  };
}
