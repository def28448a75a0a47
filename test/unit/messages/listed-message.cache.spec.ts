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

/** Lets the subscription the cache makes on its first use settle (which starts it over). */
const subscribed = () => sleep(0);

describe('ListedMessageCache', () => {
  let bus: InMemoryMessageEventBus;
  let cache: ListedMessageCache;

  beforeEach(() => {
    bus = new InMemoryMessageEventBus();
    cache = new ListedMessageCache(bus);
  });

  /** A cache that has listed before, so that it holds its subscription. */
  async function inUse(): Promise<void> {
    cache.remember(message());
    await subscribed();
  }

  it('holds a message it was given, as that very object', async () => {
    await inUse();
    const listed = message();
    cache.remember(listed);

    expect(cache.get(listed.id)).toBe(listed);
    expect(cache.get(randomUUID())).toBeUndefined();
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

  it('starts over when the bus may have missed deletions, and once it has subscribed', async () => {
    const before = message();
    cache.remember(before);
    await subscribed();
    expect(cache.get(before.id)).toBeUndefined();

    const after = message();
    cache.remember(after);
    bus.loseEvents();

    expect(cache.get(after.id)).toBeUndefined();
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
});
