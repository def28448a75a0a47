export { KEY_NAMESPACES, type KeyNamespace, redisKeys } from './key-namespaces';
export {
  createRedisClient,
  InjectRedis,
  REDIS_CLIENT,
  type RedisClient,
  untilConnected,
} from './redis-client';
export { compareRedisServer } from './redis-identity';
export { RedisModule } from './redis.module';
export { defineRedisScript, LUA_NOW_MS, readLua, type RedisScript } from './redis-script';
export { translateRedisError } from './redis-failure';
