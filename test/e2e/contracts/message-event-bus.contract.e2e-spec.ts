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

describe('RedisMessageEventBus at shutdown', () => {
  /** The bus's subscriber connections Redis holds (they name themselves). */
  async function subscriberConnections(): Promise<number> {
    const clients = (await (await redis.client()).client('LIST')) as string;
    return clients.split('\n').filter((line) => line.includes('name=tempmessenger-events')).length;
  }

  it('closes a subscription still connecting when the application shuts down', async () => {
    const bus = new RedisMessageEventBus(await redis.client(), config);
    const subscribing = bus.subscribe(() => undefined);

    await bus.onApplicationShutdown();

    await expect(subscribing).rejects.toThrow();
    await expect(bus.subscribe(() => undefined)).rejects.toThrow();
    expect(await subscriberConnections()).toBe(0);
  });
});
