import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RedisClient, redisKeys } from '../../../src/common/redis';
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

describeMessageStoreContract('RedisMessageStore with its listing cache', async () => ({
  store: new RedisMessageStore(
    await redis.client(),
    new ListedMessageCache(new InMemoryMessageEventBus()),
  ),
  clock: machineClock,
}));

/** Two instances on one Redis: the first holds what it listed, the second changes things. */
describe('RedisMessageStore listing from its cache', () => {
  let client: RedisClient;
  let listing: RedisMessageStore;
  let other: RedisMessageStore;

  beforeEach(async () => {
    client = await redis.client();
    listing = new RedisMessageStore(client, new ListedMessageCache(new InMemoryMessageEventBus()));
    other = new RedisMessageStore(client);
  });

  async function postElsewhere(): Promise<string> {
    const message = await other.post({
      id: randomUUID(),
      text: 'posted on another instance',
      authorId: randomUUID(),
      authorEmail: 'author@example.com',
      ttlSeconds: 60,
    });
    return message!.id;
  }

  /** Lists twice: the first listing subscribes the cache, which starts it over. */
  async function listedTwice(): Promise<string[]> {
    await listing.listPage(10, null);
    await sleep(10);
    return (await listing.listPage(10, null)).items.map(({ id }) => id);
  }

  it('answers the bodies it holds without reading them again', async () => {
    const id = await postElsewhere();
    expect(await listedTwice()).toEqual([id]);
    // A message never changes; rewriting one behind the store's back shows which copy is read.
    const body = JSON.parse((await client.get(redisKeys.message(id)))!);
    await client.set(redisKeys.message(id), JSON.stringify({ ...body, text: 'rewritten' }));

    expect((await listing.listPage(10, null)).items[0].text).toBe('posted on another instance');
    expect((await listing.findById(id))!.text).toBe('rewritten');
  });

  it('never lists a message deleted on another instance, though it holds it and heard nothing', async () => {
    const deleted = await postElsewhere();
    const kept = await postElsewhere();
    expect((await listedTwice()).sort()).toEqual([deleted, kept].sort());

    await other.delete(deleted);

    expect((await listing.listPage(10, null)).items.map(({ id }) => id)).toEqual([kept]);
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
