import { RedisMfaChallengeStore } from '../../../src/auth/infrastructure/redis-mfa-challenge.store';
import { describeMfaChallengeStoreContract } from '../../contracts/mfa-challenge-store.contract';
import { useIsolatedRedis } from '../support/adapter-connections';
import { sleep } from '../support/polling';

const redis = useIsolatedRedis();

describeMfaChallengeStoreContract('RedisMfaChallengeStore', async () => ({
  challenges: new RedisMfaChallengeStore(await redis.client()),
  elapse: (seconds) => sleep(seconds * 1000),
}));
