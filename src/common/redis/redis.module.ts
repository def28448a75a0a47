import { Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Metrics } from '../metrics';
import { RateLimiterFactory, RedisRateLimiterFactory } from '../rate-limit';
import { timeRedisCommands } from './redis-command-timing';
import {
  createRedisClient,
  InjectRedis,
  REDIS_CLIENT,
  type RedisClient,
  untilConnected,
} from './redis-client';

/** The shared ioredis client, injected with `@InjectRedis()`. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [AppConfig, Metrics],
      useFactory: async (config: AppConfig, metrics: Metrics) => {
        const client = createRedisClient(config);
        if (config.metrics.enabled) timeRedisCommands(client, metrics);
        // Waits for the first connection, but lets the service start (and report 503) without Redis.
        await untilConnected(client, config.redis.connectTimeoutMs).catch(() => undefined);
        return client;
      },
    },
    { provide: RateLimiterFactory, useClass: RedisRateLimiterFactory },
  ],
  exports: [REDIS_CLIENT, RateLimiterFactory],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@InjectRedis() private readonly redis: RedisClient) {}

  async onApplicationShutdown(): Promise<void> {
    // QUIT lets pending replies arrive; when Redis is away there is nothing to wait for.
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => undefined);
    this.redis.disconnect();
  }
}
