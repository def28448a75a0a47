import { once } from 'node:events';
import type { Cluster } from 'ioredis';
import { RedisAuthStateCache } from '../../../src/auth/infrastructure/redis-auth-state.cache';
import { createRedisClient, redisKeys } from '../../../src/common/redis';
import { someClaims } from '../../contracts/auth-state-cache.contract';
import { ask, type RedisCluster, servesSlot, startRedisCluster } from '../../support/redis-cluster';
import { until } from '../support/polling';
import { testConfig } from '../support/test-environment';

/**
 * Redis replicates asynchronously, so a promoted replica may hold "valid" and "active" entries that
 * a revocation on its lost master had replaced. After a failover the cache must not answer those:
 * the access check then reads them from PostgreSQL, which holds every revocation.
 */
describe('The auth cache through a failover, on a cluster of its own', () => {
  let cluster: RedisCluster;
  let client: Cluster;
  let cache: RedisAuthStateCache;

  beforeAll(async () => {
    cluster = await startRedisCluster({ nodeTimeoutMs: 1000 });
    const config = testConfig({ REDIS_CLUSTER_NODES: cluster.nodes.join(','), REDIS_URL: '' });
    client = createRedisClient(config) as Cluster;
    await once(client, 'ready');
    cache = new RedisAuthStateCache(client);
  }, 30_000);

  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  it('answers only revocations for a cache lifetime after its nodes change', async () => {
    const claims = someClaims();
    const revoked = someClaims();
    await cache.fill(claims, {
      token: 'valid',
      session: { active: true, userId: claims.userId, expiresAt: claims.expiresAt },
    });
    await cache.revokeToken(revoked.userId, revoked.tokenId, revoked.expiresAt);
    expect(await cache.read(claims)).toEqual({
      token: 'valid',
      session: { active: true, userId: claims.userId, expiresAt: claims.expiresAt },
    });

    // The master of the user's slot stops; its replica, which holds the entries, takes over.
    const key = `${testConfig().redis.keyPrefix}${redisKeys.authAccount(claims.userId)}`;
    const slot = await ask<number>(
      Number(cluster.nodes[0].split(':')[1]),
      'CLUSTER',
      'KEYSLOT',
      key,
    );
    const topology = await cluster.topology();
    const master = topology.find((node) => node.role === 'master' && servesSlot(node, slot))!;
    await cluster.stopNode(master.port);
    await until(
      () =>
        cache.read(claims).then(
          () => true,
          () => false,
        ),
      15_000,
    );

    // The promoted replica still holds "valid" and "active", but the cache no longer answers them.
    expect(await client.get(redisKeys.authToken(claims.userId, claims.tokenId))).toBe('v');
    expect(await cache.read(claims)).toEqual({});
    expect(await cache.read(revoked)).toEqual({ token: 'revoked' });
  }, 60_000);
});
