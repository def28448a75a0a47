import { describeMfaChallengeStoreContract } from '../../contracts/mfa-challenge-store.contract';
import { FixedClock } from '../fakes/fixed.clock';
import { InMemoryMfaChallengeStore } from '../fakes/in-memory-mfa-challenge.store';

describeMfaChallengeStoreContract('InMemoryMfaChallengeStore', async () => {
  const clock = new FixedClock();
  return {
    challenges: new InMemoryMfaChallengeStore(clock),
    elapse: async (seconds) => clock.advance(seconds * 1000),
  };
});
