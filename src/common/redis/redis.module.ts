import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { Metrics } from '../metrics';
import { RateLimiterFactory, RedisRateLimiterFactory } from '../rate-limit';
import { timeRedisCommands } from './redis-command-timing';

const MAX_RECONNECT_DELAY_MS = 2000;

/**
 * Connects with fail-fast settings: while Redis is away, commands fail at once (and become 503s)
 * instead of queueing, and the client keeps reconnecting in the background.
 */
export function createRedisClient(config: AppConfig, logger = new Logger('Redis')): Redis {
  const client = new Redis(config.redis.url, {
    keyPrefix: config.redis.keyPrefix,
    connectionName: 'tempmessenger',
    // RESP3, ioredis 6's default (`?protocol=2` on REDIS_URL pins RESP2), with replies in RESP2's
    // shapes either way (doubles as strings, maps as arrays), which the callers read.
    replyMapping: 'legacy',
    enableOfflineQueue: false,
    // Commands issued in the same tick by concurrent requests leave in one write.
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    connectTimeout: config.redis.connectTimeoutMs,
    commandTimeout: config.redis.commandTimeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
  });
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

/** Waits for the first connection, but lets the service start (and report 503) without Redis. */
function untilReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    client.once('ready', done);
  });
}

/** The shared ioredis client, injected by its class: `constructor(private readonly redis: Redis)`. */
@Global()
@Module({
  providers: [
    {
      provide: Redis,
      inject: [AppConfig, Metrics],
      useFactory: async (config: AppConfig, metrics: Metrics) => {
        const client = createRedisClient(config);
        if (config.metrics.enabled) timeRedisCommands(client, metrics);
        await untilReady(client, config.redis.connectTimeoutMs);
        return client;
      },
    },
    { provide: RateLimiterFactory, useClass: RedisRateLimiterFactory },
  ],
  exports: [Redis, RateLimiterFactory],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(Redis) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    // QUIT lets pending replies arrive; when Redis is away there is nothing to wait for.
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => undefined);
    this.redis.disconnect();
  }
}
