import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Cluster } from 'ioredis';
import { RedisAuthStateCache } from '../../../src/auth/infrastructure/redis-auth-state.cache';
import type { AccessClaims } from '../../../src/auth/domain/tokens';
import { createRedisClient, redisKeys } from '../../../src/common/redis';
import { ask, type RedisCluster, startRedisCluster } from '../../support/redis-cluster';
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
    const key = `${testConfig().redis.keyPrefix}${redisKeys.authUser(claims.userId)}`;
    const slot = await ask<number>(
      Number(cluster.nodes[0].split(':')[1]),
      'CLUSTER',
      'KEYSLOT',
      key,
    );
    const topology = await cluster.topology();
    const master = topology.find(
      (node) =>
        node.role === 'master' &&
        node.slots.some((range) => {
          const [first, last = first] = range.split('-').map(Number);
          return slot >= first && slot <= last;
        }),
    )!;
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

function someClaims(): AccessClaims {
  const issuedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
  return {
    userId: randomUUID(),
    sessionId: randomUUID(),
    tokenId: randomUUID(),
    issuedAt,
    expiresAt: new Date(issuedAt.getTime() + 15 * 60_000),
  };
}
