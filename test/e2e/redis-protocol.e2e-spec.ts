import { REDIS_CLIENT, type RedisClient } from '../../src/common/redis';
import { MessageEventBus } from '../../src/messages/domain/message-event.bus';
import { useTestApp } from './support/test-app';

describe('The Redis connection (ioredis 6)', () => {
  const testApp = useTestApp();

  it('speaks RESP3', async () => {
    const redis = testApp.app.get<RedisClient>(REDIS_CLIENT);
    expect(await redis.client('INFO')).toMatch(/ resp=3\s/);
  });

  it("reads a script's Lua false as null: no replay from an event id Redis does not hold", async () => {
    await expect(testApp.app.get(MessageEventBus).eventsAfter('1-0')).resolves.toBeNull();
  });
});
