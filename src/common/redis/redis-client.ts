import { Inject, Logger } from '@nestjs/common';
import Redis, { Cluster, type RedisOptions } from 'ioredis';
import type { AppConfig } from '../config/app-config';

const MAX_RECONNECT_DELAY_MS = 2000;

/** The shared client: one Redis server, or a Redis Cluster when `REDIS_CLUSTER_NODES` is set. */
export type RedisClient = Redis | Cluster;

/** Its injection token: `constructor(@InjectRedis() private readonly redis: RedisClient)`. */
export const REDIS_CLIENT = Symbol('RedisClient');
export const InjectRedis = (): ParameterDecorator => Inject(REDIS_CLIENT);

/**
 * Connects with fail-fast settings: while Redis is away, commands fail at once (and become 503s)
 * instead of queueing, and the client keeps reconnecting in the background. With cluster nodes
 * configured, a cluster client with the same settings on each node's connection, which follows
 * the cluster's slot map (MOVED, failovers) by itself.
 */
export function createRedisClient(config: AppConfig, logger = new Logger('Redis')): RedisClient {
  const { redis } = config;
  const connection: RedisOptions = {
    connectionName: 'tempmessenger',
    // RESP3, ioredis 6's default (`?protocol=2` on REDIS_URL pins RESP2), with replies in RESP2's
    // shapes either way (doubles as strings, maps as arrays), which the callers read.
    replyMapping: 'legacy',
    maxRetriesPerRequest: 1,
    connectTimeout: redis.connectTimeoutMs,
    commandTimeout: redis.commandTimeoutMs,
  };
  const client =
    redis.clusterNodes.length > 0
      ? new Cluster([...redis.clusterNodes], {
          keyPrefix: redis.keyPrefix,
          enableOfflineQueue: false,
          // Turned on once the slot map is known (below).
          enableAutoPipelining: false,
          clusterRetryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
          redisOptions: { ...connection, ...credentialsOf(redis.url) },
        })
      : new Redis(redis.url, {
          ...connection,
          keyPrefix: redis.keyPrefix,
          enableOfflineQueue: false,
          // Commands issued in the same tick by concurrent requests leave in one write.
          enableAutoPipelining: true,
          retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
        });
  if (client instanceof Cluster) {
    // Commands for the same nodes issued in one tick leave in one write (a write per command
    // cost the cluster read a sixth of its CPU); scripts stay out (redis-script.ts). Only once the
    // slot map is known: before it, ioredis holds a pipelined command until the cluster is ready,
    // however long that takes, where a command on its own fails at once. ioredis reads the option
    // at each call, and never forgets the slot map once it has one.
    client.once('ready', () => (client.options.enableAutoPipelining = true));
  }
  let available = true;
  client.on('error', (error: Error) => {
    if (available) logger.warn(`Redis unavailable: ${error.message}`);
    available = false;
  });
  client.on('ready', () => {
    if (!available) logger.log('Redis connection restored');
    available = true;
  });
  return client;
}

/**
 * Resolves once the client is ready (at once when it is); rejects when it is not within
 * `timeoutMs`, with the last error it reported (a refused connection, a cluster whose nodes all
 * failed) or, when it said nothing, a timeout.
 */
export function untilConnected(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let lastError: Error | undefined;
    const noteError = (error: Error) => (lastError = error);
    const settle = (error?: Error) => {
      clearTimeout(timer);
      client.off('ready', settle);
      client.off('error', noteError);
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(
      () => settle(lastError ?? new Error(`not ready within ${timeoutMs} ms`)),
      timeoutMs,
    );
    client.once('ready', settle);
    client.on('error', noteError);
  });
}

/**
 * REDIS_URL's user and password, and TLS when it is `rediss:`, which a cluster's nodes take too
 * (a cluster has no URL of its own).
 */
function credentialsOf(url: string): Pick<RedisOptions, 'username' | 'password' | 'tls'> {
  const { protocol, username, password } = new URL(url);
  return {
    ...(username ? { username: decodeURIComponent(username) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
    ...(protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
