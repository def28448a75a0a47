import { describeAuthStateCacheContract } from '../../contracts/auth-state-cache.contract';
import { InMemoryAuthStateCache } from '../fakes/in-memory-auth-state.cache';

describeAuthStateCacheContract('InMemoryAuthStateCache', async () => ({
  cache: new InMemoryAuthStateCache(),
}));
