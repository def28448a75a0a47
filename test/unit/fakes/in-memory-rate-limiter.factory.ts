import { TooManyRequestsError } from '../../../src/common/errors';
import {
  RateLimiter,
  RateLimiterFactory,
  type RateLimitRule,
} from '../../../src/common/rate-limit';

class InMemoryRateLimiter extends RateLimiter {
  readonly counts = new Map<string, number>();

  constructor(readonly rule: RateLimitRule) {
    super();
  }

  async consume(key: string): Promise<void> {
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    if (count > this.rule.points) throw new TooManyRequestsError(this.rule.durationSeconds);
  }

  async reset(key: string): Promise<void> {
    this.counts.delete(key);
  }
}

/** Fixed windows that never roll over: enough to test what is counted and when it blocks. */
export class InMemoryRateLimiterFactory extends RateLimiterFactory {
  readonly limiters = new Map<string, InMemoryRateLimiter>();

  create(rule: RateLimitRule): RateLimiter {
    const limiter = new InMemoryRateLimiter(rule);
    this.limiters.set(rule.name, limiter);
    return limiter;
  }
}
