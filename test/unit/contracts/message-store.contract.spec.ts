import { describeMessageStoreContract } from '../../contracts/message-store.contract';
import { FixedClock } from '../fakes/fixed.clock';
import { InMemoryMessageStore } from '../fakes/in-memory-message.store';

describeMessageStoreContract('InMemoryMessageStore', async () => {
  const clock = new FixedClock();
  return {
    store: new InMemoryMessageStore(clock),
    clock: { now: () => clock.now(), elapse: async (ms) => clock.advance(ms) },
  };
});
