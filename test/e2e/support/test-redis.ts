import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { TEST_REDIS_URL, testRedisClusterNodes } from './test-environment';

/** A test's own look at Redis: the single test Redis, or the whole cluster. */
export type TestRedis = Redis | Cluster;

/**
 * A client on the Redis the apps under test use, for tests that inspect it directly: an ioredis
 * Cluster when the tests run on a cluster (TEST_REDIS_CLUSTER_NODES), else the test Redis db.
 */
export function testRedisClient(
  options: RedisOptions = {},
  clusterNodes = testRedisClusterNodes(),
): TestRedis {
  if (!clusterNodes) return new Redis(TEST_REDIS_URL, options);
  const { lazyConnect, ...redisOptions } = options;
  const startupNodes = clusterNodes.split(',').map((address) => ({
    host: address.slice(0, address.lastIndexOf(':')),
    port: Number(address.slice(address.lastIndexOf(':') + 1)),
  }));
  return new Cluster(startupNodes, { lazyConnect, redisOptions });
}

/** The servers holding the data: the one server, or every master of the cluster. */
async function dataServers(redis: TestRedis): Promise<Redis[]> {
  if (!(redis instanceof Cluster)) return [redis];
  await redis.ping(); // a lazy cluster client knows its nodes only once connected
  const masters = redis.nodes('master');
  if (masters.length === 0) throw new Error('The Redis Cluster client knows no master');
  return masters;
}

/** Empties the test Redis: its db on one server, every master of a cluster. */
export async function flushTestRedis(redis: TestRedis): Promise<void> {
  await Promise.all((await dataServers(redis)).map((server) => server.flushdb()));
}

/** Every key matching the pattern; SCAN on one cluster node would see only its own slots. */
export async function testRedisKeys(redis: TestRedis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  for (const server of await dataServers(redis)) {
    for await (const batch of server.scanStream({ match: pattern, count: 1000 })) {
      keys.push(...(batch as string[]));
    }
  }
  return keys;
}

/** How many keys the test Redis holds: its db's, or every master's together. */
export async function testRedisSize(redis: TestRedis): Promise<number> {
  const sizes = await Promise.all((await dataServers(redis)).map((server) => server.dbsize()));
  return sizes.reduce((sum, size) => sum + size, 0);
}

/** Publishes as the service does: classic pub/sub on one server, sharded on a cluster. */
export async function publishAsTheService(
  redis: TestRedis,
  channel: string,
  payload: string,
): Promise<void> {
  if (redis instanceof Cluster) await redis.spublish(channel, payload);
  else await redis.publish(channel, payload);
}
