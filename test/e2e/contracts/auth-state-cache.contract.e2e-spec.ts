import { RedisAuthStateCache } from '../../../src/auth/infrastructure/redis-auth-state.cache';
import { describeAuthStateCacheContract } from '../../contracts/auth-state-cache.contract';
import { useIsolatedRedis } from '../support/adapter-connections';

const redis = useIsolatedRedis();

describeAuthStateCacheContract('RedisAuthStateCache', async () => ({
  cache: new RedisAuthStateCache(await redis.client()),
}));
