export { createRedisClient, RedisModule } from './redis.module';
