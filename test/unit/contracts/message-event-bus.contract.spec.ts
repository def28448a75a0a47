import { describeMessageEventBusContract } from '../../contracts/message-event-bus.contract';
import { InMemoryMessageEventBus } from '../fakes/in-memory-message-event.bus';

const REPLAY_WINDOW = 3;

describeMessageEventBusContract('InMemoryMessageEventBus', async () => ({
  bus: new InMemoryMessageEventBus(REPLAY_WINDOW),
  replayWindow: REPLAY_WINDOW,
}));
