import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { InjectRedis, type RedisClient } from '../redis';
import { pingCheck } from './ping-with-timeout';

@Injectable()
export class RedisHealthIndicator {
  constructor(
    @InjectRedis() private readonly redis: RedisClient,
    private readonly indicators: HealthIndicatorService,
  ) {}

  pingCheck<Key extends string>(key: Key, timeoutMs: number) {
    return pingCheck(this.indicators, key, () => this.redis.ping(), timeoutMs);
  }
}
