export { RateLimiter, RateLimiterFactory, type RateLimitRule } from './rate-limiter';
export { RedisRateLimiterFactory } from './redis-rate-limiter.factory';
