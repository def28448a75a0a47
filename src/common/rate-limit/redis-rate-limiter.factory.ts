import { Injectable } from '@nestjs/common';
import { InjectRedis, type RedisClient } from '../redis/redis-client';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { redisKeys } from '../redis/key-namespaces';
import { ServiceUnavailableError, TooManyRequestsError } from '../errors/domain-error';
import { Metrics } from '../metrics';
import { RateLimiter, RateLimiterFactory, type RateLimitRule } from './rate-limiter';

class RedisRateLimiter extends RateLimiter {
  constructor(
    private readonly limiter: RateLimiterRedis,
    private readonly rule: RateLimitRule,
    private readonly metrics: Metrics,
    private readonly message?: string,
  ) {
    super();
  }

  async consume(key: string): Promise<void> {
    try {
      await this.limiter.consume(key);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw this.tooMany(rejection);
      // Without its counters the limit cannot be enforced: fail closed, as unavailable.
      throw new ServiceUnavailableError(undefined, { cause: rejection });
    }
  }

  async reset(key: string): Promise<void> {
    try {
      await this.limiter.delete(key);
    } catch (error) {
      throw new ServiceUnavailableError(undefined, { cause: error });
    }
  }

  private tooMany(state: RateLimiterRes): TooManyRequestsError {
    this.metrics.throttled(this.rule.name);
    const seconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
    return new TooManyRequestsError(Math.min(seconds, this.rule.durationSeconds), this.message);
  }
}

/** Counters in Redis (via rate-limiter-flexible's atomic scripts), so all instances share them. */
@Injectable()
export class RedisRateLimiterFactory extends RateLimiterFactory {
  constructor(
    @InjectRedis() private readonly redis: RedisClient,
    private readonly metrics: Metrics,
  ) {
    super();
  }

  create(rule: RateLimitRule, message?: string): RateLimiter {
    const limiter = new RateLimiterRedis({
      storeClient: this.redis,
      keyPrefix: redisKeys.rateLimit(rule.name),
      points: rule.points,
      duration: rule.durationSeconds,
      rejectIfRedisNotReady: true,
      // Blocked for the rest of the window once the last point is used.
      ...(rule.blockInMemoryWhenSpent ? { inMemoryBlockOnConsumed: rule.points } : {}),
    });
    return new RedisRateLimiter(limiter, rule, this.metrics, message);
  }
}
