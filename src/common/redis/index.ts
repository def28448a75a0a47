export { createRedisClient, RedisModule } from './redis.module';
export { defineRedisScript, type RedisScript } from './redis-script';
export { translateRedisError } from './redis-failure';
