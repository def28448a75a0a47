import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Message } from '../../../src/messages/domain/message';
import { ListedMessageCache } from '../../../src/messages/infrastructure/listed-message.cache';
import { InMemoryMessageEventBus } from '../fakes/in-memory-message-event.bus';

function message(leftMs = 60_000, text = 'a listed message'): Message {
  const now = Date.now();
  return Message.restore({
    id: randomUUID(),
    text,
    authorId: randomUUID(),
    authorEmail: 'author@example.com',
    createdAt: new Date(now - 1_000),
    expiresAt: new Date(now + leftMs),
  });
}

/** Lets the subscription the cache asked for settle. */
const settled = () => sleep(0);

describe('ListedMessageCache', () => {
  let bus: InMemoryMessageEventBus;
  let cache: ListedMessageCache;

  beforeEach(() => {
    bus = new InMemoryMessageEventBus();
    cache = new ListedMessageCache(bus);
  });

  afterEach(() => {
    cache.onApplicationShutdown();
    jest.restoreAllMocks();
  });

  /** A cache that has listed before, so that it hears deletions. */
  async function inUse(): Promise<void> {
    cache.remember(message());
    await settled();
  }

  it('holds nothing until it hears deletions, then each message it is given, as that object', async () => {
    const early = message();
    cache.remember(early);
    expect(cache.get(early.id)).toBeUndefined();
    expect(bus.subscribeCalls).toBe(1);

    await settled();
    const listed = message();
    cache.remember(listed);

    expect(cache.get(listed.id)).toBe(listed);
    expect(cache.get(randomUUID())).toBeUndefined();
    expect(bus.subscribeCalls).toBe(1);
  });

  it('forgets a message whose deletion any instance announces', async () => {
    await inUse();
    const deleted = message();
    const kept = message();
    cache.remember(deleted);
    cache.remember(kept);

    await bus.publish({ type: 'message.deleted', id: deleted.id });

    expect(cache.get(deleted.id)).toBeUndefined();
    expect(cache.get(kept.id)).toBe(kept);
  });

  it('starts over when the bus may have missed deletions', async () => {
    await inUse();
    const held = message();
    cache.remember(held);

    bus.loseEvents();

    expect(cache.get(held.id)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('holds nothing for a while after its subscription failed, then tries again', async () => {
    bus.subscribeFailing = true;
    await inUse();
    cache.remember(message());
    expect(cache.size).toBe(0);
    expect(bus.subscribeCalls).toBe(1);

    bus.subscribeFailing = false;
    const later = Date.now() + 30_001;
    jest.spyOn(Date, 'now').mockReturnValue(later);
    await inUse();
    const held = message(later - Date.now() + 60_000);
    cache.remember(held);

    expect(bus.subscribeCalls).toBe(2);
    expect(cache.get(held.id)).toBe(held);
  });

  it('lets a message go at its expiry, without being read', async () => {
    await inUse();
    const brief = message(100);
    const lasting = message();
    cache.remember(brief);
    cache.remember(lasting);
    expect(cache.size).toBe(2);

    await sleep(200);

    expect(cache.size).toBe(1);
    expect(cache.get(lasting.id)).toBe(lasting);
  });

  it('does not take a message that has expired already', async () => {
    await inUse();
    cache.remember(message(-1));

    expect(cache.size).toBe(0);
  });

  it('keeps within its bound, letting the least recently listed go first', async () => {
    await inUse();
    const longest = 'x'.repeat(1_000);
    const listed = Array.from({ length: 3_000 }, () => message(60_000, longest));
    for (const each of listed) cache.remember(each);

    expect(cache.size).toBeGreaterThan(1_000);
    expect(cache.size).toBeLessThan(listed.length);
    expect(cache.get(listed[0].id)).toBeUndefined();
    expect(cache.get(listed.at(-1)!.id)).toBe(listed.at(-1));
  });

  it('lets go of everything, its subscription included, when the application shuts down', async () => {
    await inUse();
    cache.remember(message());
    expect(bus.subscribers).toBe(1);

    cache.onApplicationShutdown();
    cache.remember(message());
    await settled();

    expect(cache.size).toBe(0);
    expect(bus.subscribers).toBe(0);
    expect(bus.subscribeCalls).toBe(1);
  });
});
