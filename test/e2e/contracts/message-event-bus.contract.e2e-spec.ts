import { RedisMessageEventBus } from '../../../src/messages/infrastructure/redis-message-event.bus';
import { describeMessageEventBusContract } from '../../contracts/message-event-bus.contract';
import { useIsolatedRedis } from '../support/adapter-connections';
import { testConfig } from '../support/test-environment';

const config = testConfig({ SSE_REPLAY_WINDOW: '3' });
const redis = useIsolatedRedis();
const buses: RedisMessageEventBus[] = [];

// Each bus has a subscriber connection of its own, made on its first subscription.
afterEach(async () => {
  for (const bus of buses.splice(0)) await bus.onApplicationShutdown();
});

describeMessageEventBusContract('RedisMessageEventBus', async () => {
  const bus = new RedisMessageEventBus(await redis.client(), config);
  buses.push(bus);
  return { bus, replayWindow: config.sseReplayWindow };
});
