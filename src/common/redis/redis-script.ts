import type Redis from 'ioredis';

export type RedisScript<T> = (
  keys: readonly string[],
  args: readonly (string | number)[],
) => Promise<T>;

/**
 * A Lua script registered on the client: sent once, then called by its SHA (ioredis reloads it
 * when Redis restarts). Keys get the client's key prefix like any command's.
 */
export function defineRedisScript<T>(
  redis: Redis,
  name: string,
  numberOfKeys: number,
  lua: string,
): RedisScript<T> {
  if (!(name in redis)) redis.defineCommand(name, { numberOfKeys, lua });
  const command = (
    redis as unknown as Record<string, (...args: (string | number)[]) => Promise<T>>
  )[name];
  return (keys, args) => command.call(redis, ...keys, ...args);
}
