import { randomUUID } from 'node:crypto';
import { Message } from '../../src/messages/domain/message';
import type { MessageDraft, MessageStore } from '../../src/messages/domain/message.store';

/** The time a store dates and expires messages by: an injected clock, or Redis' own. */
export interface StoreClock {
  now(): Date;
  /** Lets time pass: a fake clock moves at once, real time has to be waited for. */
  elapse(ms: number): Promise<void>;
}

export interface MessageStoreFixture {
  /** Holding no message yet. */
  readonly store: MessageStore;
  readonly clock: StoreClock;
}

const ids = (messages: readonly Message[]) => messages.map(({ id }) => id);

/**
 * What every `MessageStore` does, the in-memory fake as much as Redis and its scripts. Real
 * expiry is waited for, so the lifetimes here are short and few.
 */
export function describeMessageStoreContract(
  name: string,
  setup: () => Promise<MessageStoreFixture>,
): void {
  describe(`${name} keeps the MessageStore contract`, () => {
    let store: MessageStore;
    let clock: StoreClock;
    const ada = randomUUID();
    const bob = randomUUID();

    beforeEach(async () => {
      ({ store, clock } = await setup());
    });

    const draft = (authorId: string, ttlSeconds = 60): MessageDraft => ({
      id: randomUUID(),
      text: `a message that lives ${ttlSeconds} s`,
      authorId,
      authorEmail: `${authorId}@example.com`,
      ttlSeconds,
    });

    async function post(authorId: string, ttlSeconds?: number): Promise<Message> {
      const message = await store.post(draft(authorId, ttlSeconds));
      if (!message) throw new Error('the store refused a post it should have taken');
      return message;
    }

    /** A message as another store holds it: posted there a while ago, with `leftMs` to live. */
    const fromElsewhere = (authorId: string, leftMs: number): Message => {
      const now = clock.now().getTime();
      return Message.restore({
        id: randomUUID(),
        text: `a copied message with ${leftMs} ms left`,
        authorId,
        authorEmail: `${authorId}@example.com`,
        createdAt: new Date(now - 30_000),
        expiresAt: new Date(now + leftMs),
      });
    };

    it('dates a post by its clock and finds it by id, as it was posted', async () => {
      const posted = draft(ada, 60);
      const before = clock.now().getTime();
      const message = await store.post(posted);
      const after = clock.now().getTime();

      expect(message).not.toBeNull();
      const { id, text, authorId, authorEmail, createdAt, expiresAt } = message!;
      expect({ id, text, authorId, authorEmail, ttlSeconds: 60 }).toEqual(posted);
      expect(createdAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(createdAt.getTime()).toBeLessThanOrEqual(after);
      expect(expiresAt.getTime() - createdAt.getTime()).toBe(60_000);
      expect(await store.findById(id)).toEqual(message);
    });

    it('answers null, or nothing, for ids it does not hold', async () => {
      await post(ada);

      expect(await store.findById(randomUUID())).toBeNull();
      expect(await store.findByIds([randomUUID()])).toEqual([]);
      expect(await store.findByIds([])).toEqual([]);
    });

    it('finds the messages among ids in the order asked, leaving out the others', async () => {
      const first = await post(ada);
      const second = await post(bob);

      expect(await store.findByIds([second.id, randomUUID(), first.id])).toEqual([second, first]);
    });

    it('lists messages soonest to expire first, a page at a time', async () => {
      const posted = [];
      for (const ttlSeconds of [30, 10, 50, 20, 40]) posted.push(await post(ada, ttlSeconds));
      const soonestFirst = [...posted].sort(
        (a, b) => a.expiresAt.getTime() - b.expiresAt.getTime(),
      );

      const first = await store.listPage(2, null);
      // A walk goes on from its cursor even when the message there is deleted meanwhile.
      await store.delete(first.items[1].id);
      const second = await store.listPage(2, first.next);
      const third = await store.listPage(2, second.next);

      expect([first, second, third].flatMap((page) => page.items)).toEqual(soonestFirst);
      const lastOfFirst = first.items[1];
      expect(first.next).toEqual({ at: lastOfFirst.expiresAt.getTime(), id: lastOfFirst.id });
      expect(second.next).not.toBeNull();
      expect(third.next).toBeNull();
    });

    it('says there is no next page when the last one is exactly full, or empty', async () => {
      expect(await store.listPage(2, null)).toEqual({ items: [], next: null });
      await post(ada);
      await post(bob);

      const page = await store.listPage(2, null);

      expect(page.items).toHaveLength(2);
      expect(page.next).toBeNull();
    });

    it('lets a message vanish by itself at its expiry', async () => {
      const brief = await post(ada, 1);
      const lasting = await post(ada, 60);
      const briefCopy = fromElsewhere(bob, 1_000);
      await store.putCopy(briefCopy);

      await clock.elapse(1_100);

      expect(await store.findById(brief.id)).toBeNull();
      expect(await store.findById(briefCopy.id)).toBeNull();
      expect(await store.findByIds([brief.id, lasting.id])).toEqual([lasting]);
      expect((await store.listPage(10, null)).items).toEqual([lasting]);
      expect(await store.delete(brief.id)).toBe(false);
      expect(await store.deleteByAuthor(ada, 1)).toEqual([lasting.id]);
    });

    it('leaves out of later listings a message listed before and gone since', async () => {
      const brief = await post(ada, 1);
      const deleted = await post(ada);
      const bobs = await post(bob);
      const lasting = await post(ada);
      expect(ids((await store.listPage(10, null)).items).sort()).toEqual(
        ids([brief, deleted, bobs, lasting]).sort(),
      );

      await store.delete(deleted.id);
      await store.deleteByAuthor(bob, 60_000);
      await clock.elapse(1_100);

      expect((await store.listPage(10, null)).items).toEqual([lasting]);
    });

    it('deletes a message once, also when asked twice at once', async () => {
      const message = await post(ada);
      const kept = await post(ada);

      const deleted = await Promise.all([store.delete(message.id), store.delete(message.id)]);

      expect([...deleted].sort()).toEqual([false, true]);
      expect(await store.findById(message.id)).toBeNull();
      expect((await store.listPage(10, null)).items).toEqual([kept]);
      expect(await store.delete(message.id)).toBe(false);
      expect(await store.delete(randomUUID())).toBe(false);
    });

    it("deletes an author's messages and refuses the author's posts while its tombstone lasts", async () => {
      const adas = [await post(ada), await post(ada)];
      const bobs = await post(bob);

      const deleted = await store.deleteByAuthor(ada, 60_000);

      expect([...deleted].sort()).toEqual(ids(adas).sort());
      expect(await store.findByIds(ids(adas))).toEqual([]);
      expect((await store.listPage(10, null)).items).toEqual([bobs]);
      const refused = draft(ada);
      expect(await store.post(refused)).toBeNull();
      expect(await store.findById(refused.id)).toBeNull();
      expect(await store.post(draft(bob))).not.toBeNull();
    });

    it("leaves out of an author's deletion a message deleted before it", async () => {
      const kept = await post(ada);
      const deletedBefore = await post(ada);
      await store.delete(deletedBefore.id);

      expect(await store.deleteByAuthor(ada, 60_000)).toEqual([kept.id]);
      expect(await store.deleteByAuthor(bob, 60_000)).toEqual([]);
      expect(await store.post(draft(bob))).toBeNull();
    });

    it('lets the author post again once its tombstone is removed, or has lapsed', async () => {
      await store.deleteByAuthor(ada, 60_000);
      await store.removeTombstone(ada);
      expect(await store.post(draft(ada))).not.toBeNull();

      await store.deleteByAuthor(bob, 200);
      expect(await store.post(draft(bob))).toBeNull();
      await clock.elapse(250);
      expect(await store.post(draft(bob))).not.toBeNull();
    });

    it('puts a copy from another store as it is, listed among the posts by its expiry', async () => {
      const posted = await post(ada, 30);
      const sooner = fromElsewhere(bob, 20_000);
      const later = fromElsewhere(ada, 40_000);

      expect(await store.putCopy(later)).toBe('copied');
      expect(await store.putCopy(sooner)).toBe('copied');

      expect(await store.findById(sooner.id)).toEqual(sooner);
      expect(await store.findByIds([later.id, posted.id])).toEqual([later, posted]);
      const first = await store.listPage(2, null);
      expect(first.items).toEqual([sooner, posted]);
      expect((await store.listPage(2, first.next)).items).toEqual([later]);
      // Indexed by author too: an account's deletion takes its copies.
      expect([...(await store.deleteByAuthor(ada, 60_000))].sort()).toEqual(
        ids([posted, later]).sort(),
      );
      expect((await store.listPage(10, null)).items).toEqual([sooner]);
    });

    it('stores no copy that has expired by its clock', async () => {
      const expired = fromElsewhere(ada, 0);

      expect(await store.putCopy(expired)).toBe('expired');
      expect(await store.findById(expired.id)).toBeNull();
      expect((await store.listPage(10, null)).items).toEqual([]);
    });

    it('takes a copy once: again, or once deleted here, it stores nothing', async () => {
      const copy = fromElsewhere(ada, 30_000);
      const posted = await post(ada, 60);

      expect(await store.putCopy(copy)).toBe('copied');
      expect(await store.putCopy(copy)).toBe('already-here');
      expect(await store.putCopy(posted)).toBe('already-here');
      expect((await store.listPage(10, null)).items).toEqual([copy, posted]);

      await store.delete(copy.id);
      expect(await store.putCopy(copy)).toBe('already-here');
      const ofDeletedAccount = fromElsewhere(bob, 60_000);
      await store.putCopy(ofDeletedAccount);
      await store.deleteByAuthor(bob, 60_000);
      await store.removeTombstone(bob);
      expect(await store.putCopy(ofDeletedAccount)).toBe('already-here');

      expect(await store.findByIds([copy.id, ofDeletedAccount.id])).toEqual([]);
      expect((await store.listPage(10, null)).items).toEqual([posted]);
    });

    it('stores no copy while its author has a tombstone', async () => {
      await store.deleteByAuthor(ada, 60_000);
      const refused = fromElsewhere(ada, 60_000);

      expect(await store.putCopy(refused)).toBe('author-deleted');
      expect(await store.findById(refused.id)).toBeNull();
      expect((await store.listPage(10, null)).items).toEqual([]);

      // Refused, not taken: once the tombstone is gone, the copy comes in.
      await store.removeTombstone(ada);
      expect(await store.putCopy(refused)).toBe('copied');
    });

    it("either deletes or refuses a post racing its author's deletion", async () => {
      const racing = draft(ada);

      const [posted, deleted] = await Promise.all([
        store.post(racing),
        store.deleteByAuthor(ada, 60_000),
      ]);

      expect(deleted).toEqual(posted ? [racing.id] : []);
      expect(await store.findById(racing.id)).toBeNull();
    });
  });
}
