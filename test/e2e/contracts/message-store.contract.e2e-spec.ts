import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RedisClient, redisKeys } from '../../../src/common/redis';
import { Message } from '../../../src/messages/domain/message';
import type { MessageDraft } from '../../../src/messages/domain/message.store';
import { ListedMessageCache } from '../../../src/messages/infrastructure/listed-message.cache';
import { RedisMessageStore } from '../../../src/messages/infrastructure/redis-message.store';
import {
  describeMessageStoreContract,
  type StoreClock,
} from '../../contracts/message-store.contract';
import { InMemoryMessageEventBus } from '../../unit/fakes/in-memory-message-event.bus';
import { useIsolatedRedis } from '../support/adapter-connections';

const redis = useIsolatedRedis();

// Redis dates messages by its own clock, the machine's, which only real waiting moves.
const machineClock: StoreClock = {
  now: () => new Date(),
  elapse: async (ms) => void (await sleep(ms)),
};

describeMessageStoreContract('RedisMessageStore', async () => ({
  store: new RedisMessageStore(await redis.client()),
  clock: machineClock,
}));

/** A listing cache that hears deletions already, so that it holds what is listed from now on. */
async function listeningCache(): Promise<ListedMessageCache> {
  const cache = new ListedMessageCache(new InMemoryMessageEventBus());
  cache.remember(
    Message.restore({
      id: randomUUID(),
      text: 'wakes the cache',
      authorId: randomUUID(),
      authorEmail: 'author@example.com',
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 60_000),
    }),
  );
  await sleep(0);
  return cache;
}

describeMessageStoreContract('RedisMessageStore with its listing cache', async () => ({
  store: new RedisMessageStore(await redis.client(), await listeningCache()),
  clock: machineClock,
}));

/** Two instances on one Redis: the first holds what it listed, the second changes things. */
describe('RedisMessageStore listing from its cache', () => {
  let client: RedisClient;
  let listing: RedisMessageStore;
  let other: RedisMessageStore;

  beforeEach(async () => {
    client = await redis.client();
    listing = new RedisMessageStore(client, await listeningCache());
    other = new RedisMessageStore(client);
  });

  async function postElsewhere(ttlSeconds = 60): Promise<string> {
    const message = await other.post({
      id: randomUUID(),
      text: 'posted on another instance',
      authorId: randomUUID(),
      authorEmail: 'author@example.com',
      ttlSeconds,
    });
    return message!.id;
  }

  async function listedIds(): Promise<string[]> {
    return (await listing.listPage(10, null)).items.map(({ id }) => id);
  }

  /** Rewrites a body behind the store's back: a message never changes, so this shows which copy is read. */
  async function rewrite(id: string): Promise<void> {
    const body = JSON.parse((await client.get(redisKeys.message(id)))!);
    await client.set(redisKeys.message(id), JSON.stringify({ ...body, text: 'rewritten' }));
  }

  it('answers the bodies it holds without reading them again', async () => {
    const id = await postElsewhere();
    expect(await listedIds()).toEqual([id]);
    await rewrite(id);

    expect((await listing.listPage(10, null)).items[0].text).toBe('posted on another instance');
    expect((await listing.findById(id))!.text).toBe('rewritten');
  });

  it('reads the bodies it does not hold, and keeps the listing order across both', async () => {
    const first = await postElsewhere(10);
    const third = await postElsewhere(30);
    expect(await listedIds()).toEqual([first, third]);
    const second = await postElsewhere(20);
    await rewrite(first);

    const page = await listing.listPage(10, null);

    expect(page.items.map(({ id }) => id)).toEqual([first, second, third]);
    expect(page.items.map(({ text }) => text)).toEqual([
      'posted on another instance',
      'posted on another instance',
      'posted on another instance',
    ]);
  });

  it('never lists a message deleted on another instance, though it holds it and heard nothing', async () => {
    const deleted = await postElsewhere();
    const kept = await postElsewhere();
    expect((await listedIds()).sort()).toEqual([deleted, kept].sort());

    await other.delete(deleted);

    expect(await listedIds()).toEqual([kept]);
  });
});

/**
 * The store's scripts name every key they touch, so some operations read first and write after:
 * these cases put a concurrent write between the two, on the real Redis.
 */
describe('RedisMessageStore between its read and its script', () => {
  let client: RedisClient;
  let store: RedisMessageStore;
  const authorId = randomUUID();

  const draft = (text: string): MessageDraft => ({
    id: randomUUID(),
    text,
    authorId,
    authorEmail: 'author@example.com',
    ttlSeconds: 60,
  });

  beforeEach(async () => {
    client = await redis.client();
    store = new RedisMessageStore(client);
  });

  /** Runs `between` once, right after the store's next ZRANGE has read the author's ids. */
  function afterNextZrange(between: () => Promise<unknown>): void {
    const zrange = client.zrange.bind(client) as (...args: unknown[]) => Promise<string[]>;
    client.zrange = (async (...args: unknown[]) => {
      const ids = await zrange(...args);
      client.zrange = zrange as RedisClient['zrange'];
      await between();
      return ids;
    }) as RedisClient['zrange'];
  }

  it("deleting an author's messages also deletes one posted after it read their ids", async () => {
    const first = draft('first');
    const late = draft('late');
    await store.post(first);
    afterNextZrange(() => store.post(late));

    const deleted = await store.deleteByAuthor(authorId, 60_000);

    expect(deleted.sort()).toEqual([first.id, late.id].sort());
    expect(await store.findByIds([first.id, late.id])).toEqual([]);
    expect((await store.listPage(10, null)).items).toEqual([]);
    expect(await store.post(draft('after the tombstone'))).toBeNull();
  });

  it("deleting an author's messages skips one deleted after it read their ids", async () => {
    const first = draft('first');
    const second = draft('second');
    await store.post(first);
    await store.post(second);
    afterNextZrange(() => store.delete(second.id));

    const deleted = await store.deleteByAuthor(authorId, 60_000);

    expect(deleted).toEqual([first.id]);
    expect((await store.listPage(10, null)).items).toEqual([]);
  });
});

/** A copy must leave the keys a post leaves, so the copied board is the board posted there. */
describe('RedisMessageStore copying from another Redis', () => {
  const authorId = randomUUID();

  /** Everything the store keeps of one author's message, read raw under the client's prefix. */
  async function storedState(client: RedisClient, id: string) {
    const byAuthor = redisKeys.messagesByAuthor(authorId);
    return {
      body: await client.get(redisKeys.message(id)),
      expiresAt: await client.pexpiretime(redisKeys.message(id)),
      byExpiry: await client.zrange(redisKeys.messagesByExpiry(), 0, -1, 'WITHSCORES'),
      byAuthor: await client.zrange(byAuthor, 0, -1, 'WITHSCORES'),
      byAuthorExpiresAt: await client.pexpiretime(byAuthor),
    };
  }

  it('stores a copy as the post it copies: the same body, index entries and expiries', async () => {
    const source = await redis.client();
    const target = await redis.client();
    const posted = await new RedisMessageStore(source).post({
      id: randomUUID(),
      text: 'copied « as is » 🎉',
      authorId,
      authorEmail: 'author@example.com',
      ttlSeconds: 60,
    });

    expect(await new RedisMessageStore(target).putCopy(posted!)).toBe('copied');

    const copied = await storedState(target, posted!.id);
    expect(copied).toEqual(await storedState(source, posted!.id));
    expect(copied.expiresAt).toBe(posted!.expiresAt.getTime());
  });
});
