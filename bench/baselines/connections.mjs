// The baselines' PostgreSQL pool and Redis client, with the service's own settings
// (data-source.ts, redis.module.ts), so a comparison measures the server, not the drivers.
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
