import { RedisAuthStateCache } from '../../../src/auth/infrastructure/redis-auth-state.cache';
import { redisKeys } from '../../../src/common/redis';
import {
  accountAt,
  describeAuthStateCacheContract,
  someClaims,
} from '../../contracts/auth-state-cache.contract';
import { useIsolatedRedis } from '../support/adapter-connections';

const redis = useIsolatedRedis();

describeAuthStateCacheContract('RedisAuthStateCache', async () => ({
  cache: new RedisAuthStateCache(await redis.client()),
}));

/** An account as the adapter stores it (dates in ms), every field valid. */
function storedFields() {
  const { revision: _revision, ...account } = accountAt('x', 2);
  return {
    ...account,
    emailVerifiedAt: account.emailVerifiedAt?.getTime() ?? null,
    tokensValidAfter: account.tokensValidAfter.getTime(),
    createdAt: account.createdAt.getTime(),
  };
}

describe('RedisAuthStateCache, on values it did not write', () => {
  it.each([
    ['an account entry of the older layout', 'a|user|1796520000000'],
    ['no revision', '|{"id":"x"}'],
    ['a body that is not JSON', '1|{"id":'],
    ['a body missing fields', '2|{"id":"x","role":"user"}'],
    ['a role it does not know', `2|${JSON.stringify({ ...storedFields(), role: 'root' })}`],
  ])('reads %s as not cached, so the record answers, and a write replaces it', async (_, value) => {
    const client = await redis.client();
    const cache = new RedisAuthStateCache(client);
    const claims = someClaims();
    await client.set(redisKeys.authAccount(claims.userId), value);

    expect(await cache.read(claims)).toEqual({});
    const account = accountAt(claims.userId, 3);
    await cache.putAccount(claims.userId, account);
    expect((await cache.read(claims)).account).toEqual(account);
  });
});
