import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';
import { pingCheck } from './ping-with-timeout';

@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly redis: Redis,
    private readonly indicators: HealthIndicatorService,
  ) {}

  pingCheck<Key extends string>(key: Key, timeoutMs: number) {
    return pingCheck(this.indicators, key, () => this.redis.ping(), timeoutMs);
  }
}
