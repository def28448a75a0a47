import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import type { RedisClient } from './redis-client';

export type RedisScript<T> = (
  keys: readonly string[],
  args: readonly (string | number)[],
) => Promise<T>;

/** The fragment that sets `now` (ms, by Redis' clock), for scripts that need the time. */
export const LUA_NOW_MS = join(__dirname, 'lua', 'now-ms.lua');

/**
 * A script's source from its `.lua` files, shared fragments first. Adapters read theirs once, when
 * their module loads (`nest build` copies the files beside the compiled code).
 */
export function readLua(...paths: string[]): string {
  return paths.map((path) => readFileSync(path, 'utf8')).join('\n');
}

/** The scripts defined on each client, by name. */
const registered = new WeakMap<RedisClient, Map<string, string>>();

/**
 * A Lua script registered on the client: sent once, then called by its SHA (ioredis reloads it
 * when Redis restarts). Keys get the client's key prefix like any command's. A name already
 * given to another script, or to one of the client's commands, throws: a silent clash would run
 * the wrong code. The same script again (a second adapter on one client) shares the first.
 */
export function defineRedisScript<T>(
  redis: RedisClient,
  name: string,
  lua: string,
): RedisScript<T> {
  const scripts = registered.get(redis) ?? new Map<string, string>();
  registered.set(redis, scripts);
  const taken = scripts.get(name);
  if (taken === undefined) {
    if (name in redis) throw new Error(`Redis script name "${name}" is a command of the client`);
    // No fixed number of keys: each call passes its own count, so a script may take a list.
    redis.defineCommand(name, { lua });
    // A cluster's automatic pipelines are grouped by each command's first key, and for a script
    // ioredis takes its first argument, the key count: the call could join a pipeline of another
    // node's keys and fail it whole. Sent on its own, it is routed by its real keys.
    // (A new list each time: the client may share its default list with every other client.)
    if (redis instanceof Cluster) {
      const ignored = redis.options.autoPipeliningIgnoredCommands ?? [];
      redis.options.autoPipeliningIgnoredCommands = [...ignored, name];
    }
    scripts.set(name, lua);
  } else if (taken !== lua) {
    throw new Error(`Redis script name "${name}" is taken by another script`);
  }
  const command = (
    redis as unknown as Record<string, (...args: (string | number)[]) => Promise<T>>
  )[name];
  return (keys, args) => command.call(redis, keys.length, ...keys, ...args);
}
