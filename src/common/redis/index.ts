export { KEY_NAMESPACES, type KeyNamespace, redisKey } from './key-namespaces';
export { createRedisClient, RedisModule } from './redis.module';
export { defineRedisScript, LUA_NOW_MS, readLua, type RedisScript } from './redis-script';
export { translateRedisError } from './redis-failure';
