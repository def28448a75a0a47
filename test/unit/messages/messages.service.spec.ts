import { RecordingAuthEventLog } from '../fakes/recording-auth-event.log';
import { loadConfig } from '../../../src/common/config';
import { TooManyRequestsError, ValidationFailedError } from '../../../src/common/errors';
import type { RequestPrincipal } from '../../../src/common/identity';
import { Metrics } from '../../../src/common/metrics';
import { MessagesService } from '../../../src/messages';
import {
  AuthorDeletedError,
  MessageDeleteForbiddenError,
  MessageNotFoundError,
} from '../../../src/messages/domain/message.errors';
import { type UserAccount, UsersService } from '../../../src/users';
import { UUID_V4 } from '../../e2e/support/formats';
import { FakePasswordHasher } from '../fakes/fake-password.hasher';
import { FixedClock } from '../fakes/fixed.clock';
import { ImmediateUnitOfWork } from '../fakes/immediate.unit-of-work';
import { InMemoryMessageEventBus } from '../fakes/in-memory-message-event.bus';
import { InMemoryMessageStore } from '../fakes/in-memory-message.store';
import { InMemoryRateLimiterFactory } from '../fakes/in-memory-rate-limiter.factory';
import { InMemoryUserRepository } from '../fakes/in-memory-user.repository';

const DEFAULT_TTL = 300;
const MAX_TTL = 3600;
const POST_LIMIT = 5;
const GENEROUS_POST_LIMIT = 1000;
const PASSWORD = 'password-1';
const CLIENT = { ip: '127.0.0.1', userAgent: 'unit-test', requestId: 'req-1' };

describe('MessagesService', () => {
  let clock: FixedClock;
  let unitOfWork: ImmediateUnitOfWork;
  let store: InMemoryMessageStore;
  let events: InMemoryMessageEventBus;
  let users: UsersService;
  let service: MessagesService;
  let ada: UserAccount;
  let bob: UserAccount;

  const principal = (account: UserAccount, role: 'user' | 'admin' = 'user'): RequestPrincipal => ({
    userId: account.id,
    sessionId: `session-of-${account.id}`,
    tokenId: `token-of-${account.id}`,
    tokenExpiresAt: new Date(clock.now().getTime() + 15 * 60_000),
    role,
  });

  /** A service over the shared store and users, with its own post limit. */
  const messagesService = (postLimit: number) =>
    new MessagesService(
      store,
      events,
      users,
      unitOfWork,
      loadConfig({
        MESSAGE_TTL_SECONDS: String(DEFAULT_TTL),
        MESSAGE_MAX_TTL_SECONDS: String(MAX_TTL),
        MESSAGE_POST_LIMIT: String(postLimit),
      }),
      new InMemoryRateLimiterFactory(),
      new Metrics(),
    );

  const register = (email: string) =>
    users.register({ firstName: 'Test', lastName: 'User', email, password: PASSWORD });

  /** Walks every page from the start and returns the ids in the order they were listed. */
  async function walk(limit: number): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await service.list(limit, cursor);
      pages++;
      expect(page.items.length).toBeLessThanOrEqual(limit);
      ids.push(...page.items.map((message) => message.id));
      cursor = page.nextCursor ?? undefined;
      if (cursor !== undefined) expect(page.items).toHaveLength(limit);
    } while (cursor !== undefined && pages < 1000);
    return { ids, pages };
  }

  async function expectValidationFailed(promise: Promise<unknown>, field: string): Promise<void> {
    const error = await promise.then(
      () => null,
      (rejection: unknown) => rejection,
    );
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect((error as ValidationFailedError).code).toBe('VALIDATION_FAILED');
    expect((error as ValidationFailedError).details.map((detail) => detail.field)).toContain(field);
  }

  beforeEach(async () => {
    clock = new FixedClock();
    unitOfWork = new ImmediateUnitOfWork();
    store = new InMemoryMessageStore(clock);
    events = new InMemoryMessageEventBus();
    users = new UsersService(
      new InMemoryUserRepository(),
      new FakePasswordHasher(),
      unitOfWork,
      clock,
      loadConfig({}),
      new InMemoryRateLimiterFactory(),
      new RecordingAuthEventLog(unitOfWork, clock),
    );
    service = messagesService(GENEROUS_POST_LIMIT);
    service.onModuleInit();
    ada = await register('ada@example.com');
    bob = await register('bob@example.com');
  });

  describe('post', () => {
    it('takes the author from the caller: its id and current email', async () => {
      const message = await service.post(ada, '  Hello, world  ', 60);
      expect(message.authorId).toBe(ada.id);
      expect(message.authorEmail).toBe('ada@example.com');
      expect(message.text).toBe('Hello, world');
      expect(message.id).toMatch(UUID_V4);
      const stored = store.rows.get(message.id);
      expect(stored).toMatchObject({
        authorId: ada.id,
        authorEmail: ada.email,
        text: 'Hello, world',
      });

      const other = await service.post(bob, 'Hi', 60);
      expect(other).toMatchObject({ authorId: bob.id, authorEmail: 'bob@example.com' });
      expect(other.id).not.toBe(message.id);
    });

    it('gives the caller’s role no say in the author', async () => {
      const message = await service.post(bob, 'From an admin', 60);
      expect(message.authorId).toBe(bob.id);
      expect(message.authorEmail).toBe(bob.email);
    });

    it.each([
      ['empty', ''],
      ['whitespace only', ' \t\n\u00a0 '],
      ['1001 characters', 'a'.repeat(1001)],
      ['1001 emoji', '\u{1F600}'.repeat(1001)],
    ])('refuses a %s message and stores nothing', async (_case, text) => {
      await expectValidationFailed(service.post(ada, text, 60), 'message');
      expect(store.rows.size).toBe(0);
    });

    it('accepts 1000 emoji (2000 UTF-16 units)', async () => {
      const text = '\u{1F600}'.repeat(1000);
      await expect(service.post(ada, text, 60)).resolves.toMatchObject({ text });
    });

    it('refuses a ttl above MESSAGE_MAX_TTL_SECONDS, naming ttlSeconds, and stores nothing', async () => {
      await expectValidationFailed(service.post(ada, 'Hi', MAX_TTL + 1), 'ttlSeconds');
      expect(store.rows.size).toBe(0);
    });

    it('accepts a ttl of exactly MESSAGE_MAX_TTL_SECONDS', async () => {
      const message = await service.post(ada, 'Hi', MAX_TTL);
      expect(message.expiresAt.getTime() - message.createdAt.getTime()).toBe(MAX_TTL * 1000);
    });

    it('uses MESSAGE_TTL_SECONDS when no ttl is given', async () => {
      const message = await service.post(ada, 'Hi');
      expect(message.createdAt).toEqual(clock.now());
      expect(message.expiresAt.getTime() - message.createdAt.getTime()).toBe(DEFAULT_TTL * 1000);
    });

    it('uses the ttl given', async () => {
      const message = await service.post(ada, 'Hi', 42);
      expect(message.expiresAt.getTime() - message.createdAt.getTime()).toBe(42_000);
    });

    it('refuses posts past MESSAGE_POST_LIMIT per user with TooManyRequestsError', async () => {
      service = messagesService(POST_LIMIT);
      for (let i = 0; i < POST_LIMIT; i++) await service.post(ada, `Post ${i}`, 60);
      const error = await service.post(ada, 'One too many', 60).catch((e) => e);
      expect(error).toBeInstanceOf(TooManyRequestsError);
      expect((error as TooManyRequestsError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect((error as TooManyRequestsError).retryAfterSeconds).toBeLessThanOrEqual(60);
      expect(store.rows.size).toBe(POST_LIMIT);
      expect([...store.rows.values()].some((row) => row.text === 'One too many')).toBe(false);

      // Another user has a budget of its own.
      await expect(service.post(bob, 'Still fine', 60)).resolves.toMatchObject({
        authorId: bob.id,
      });
    });

    it('does not count a refused (invalid) post against the limit', async () => {
      service = messagesService(POST_LIMIT);
      for (let i = 0; i < POST_LIMIT; i++) {
        await service.post(ada, '   ', 60).catch(() => undefined);
      }
      await expect(service.post(ada, 'Valid', 60)).resolves.toBeDefined();
    });
  });

  describe('get', () => {
    it('answers a live message', async () => {
      const posted = await service.post(ada, 'Hi', 60);
      await expect(service.get(posted.id)).resolves.toMatchObject({ id: posted.id, text: 'Hi' });
    });

    it.each([
      ['a malformed id', 'not-a-uuid'],
      ['an empty id', ''],
      ['an unknown uuid', '6f1f9a3c-2b7e-4c1d-8e2f-0a9b8c7d6e5f'],
    ])('answers MessageNotFoundError for %s', async (_case, id) => {
      await expect(service.get(id)).rejects.toBeInstanceOf(MessageNotFoundError);
    });

    it('answers MessageNotFoundError once the message expired', async () => {
      const posted = await service.post(ada, 'Hi', 60);
      clock.advance(60_000);
      await expect(service.get(posted.id)).rejects.toBeInstanceOf(MessageNotFoundError);
    });
  });

  describe('delete', () => {
    it('lets the author delete its message', async () => {
      const posted = await service.post(ada, 'Hi', 60);
      await service.delete(principal(ada), posted.id);
      await expect(service.get(posted.id)).rejects.toBeInstanceOf(MessageNotFoundError);
    });

    it('lets an admin delete anyone’s message', async () => {
      const posted = await service.post(ada, 'Hi', 60);
      await service.delete(principal(bob, 'admin'), posted.id);
      await expect(service.get(posted.id)).rejects.toBeInstanceOf(MessageNotFoundError);
    });

    it('refuses another user with MessageDeleteForbiddenError and keeps the message', async () => {
      const posted = await service.post(ada, 'Hi', 60);
      const error = await service.delete(principal(bob), posted.id).catch((e) => e);
      expect(error).toBeInstanceOf(MessageDeleteForbiddenError);
      expect(error).toMatchObject({
        code: 'FORBIDDEN',
        message: 'Only the author or an admin can delete this message.',
      });
      await expect(service.get(posted.id)).resolves.toMatchObject({ id: posted.id });
    });

    it('answers MessageNotFoundError for an unknown, malformed or expired message', async () => {
      await expect(
        service.delete(principal(ada), '6f1f9a3c-2b7e-4c1d-8e2f-0a9b8c7d6e5f'),
      ).rejects.toBeInstanceOf(MessageNotFoundError);
      await expect(service.delete(principal(ada), 'nope')).rejects.toBeInstanceOf(
        MessageNotFoundError,
      );
      const posted = await service.post(ada, 'Hi', 1);
      clock.advance(1000);
      await expect(service.delete(principal(ada), posted.id)).rejects.toBeInstanceOf(
        MessageNotFoundError,
      );
    });

    it('answers MessageNotFoundError when deleting twice', async () => {
      const posted = await service.post(ada, 'Hi', 60);
      await service.delete(principal(ada), posted.id);
      await expect(service.delete(principal(ada), posted.id)).rejects.toBeInstanceOf(
        MessageNotFoundError,
      );
    });
  });

  describe('list', () => {
    it('lists live messages, the soonest to expire first', async () => {
      const long = await service.post(ada, 'long', 300);
      const short = await service.post(ada, 'short', 100);
      const middle = await service.post(bob, 'middle', 200);
      const page = await service.list(100, undefined);
      expect(page.items.map((message) => message.id)).toEqual([short.id, middle.id, long.id]);
      expect(page.nextCursor).toBeNull();

      clock.advance(150_000);
      const later = await service.list(100, undefined);
      expect(later.items.map((message) => message.id)).toEqual([middle.id, long.id]);
    });

    it('walks every message exactly once, page by page, with an opaque cursor', async () => {
      const posted: string[] = [];
      // Distinct expiries and ties (same clock, same ttl) alike.
      for (let i = 0; i < 23; i++) {
        const author = i % 2 === 0 ? ada : bob;
        const message = await service.post(author, `Message ${i}`, 60 + (i % 4) * 10);
        posted.push(message.id);
        if (i % 5 === 0) clock.advance(3);
      }
      for (const limit of [1, 3, 7, 23, 500]) {
        const { ids, pages } = await walk(limit);
        expect(new Set(ids).size).toBe(ids.length);
        expect([...ids].sort()).toEqual([...posted].sort());
        expect(pages).toBe(Math.max(1, Math.ceil(posted.length / limit)));
      }
      const first = await service.list(3, undefined);
      expect(first.nextCursor).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]+$/));
    });

    it('keeps its place while messages expire or arrive during the walk', async () => {
      const steady: string[] = [];
      for (let i = 0; i < 10; i++) {
        steady.push((await service.post(ada, `steady ${i}`, 600)).id);
      }
      const shortLived: string[] = [];
      for (let i = 0; i < 4; i++) {
        shortLived.push((await service.post(bob, `short ${i}`, 5)).id);
      }
      const seen: string[] = [];
      let page = await service.list(3, undefined);
      seen.push(...page.items.map((message) => message.id));
      // Equal expiries are ordered by id.
      const shortInOrder = [...shortLived].sort();
      expect(seen).toEqual(shortInOrder.slice(0, 3));
      clock.advance(10_000); // every short-lived message expires, the cursor's own included
      while (page.nextCursor) {
        await service.post(bob, 'arrived during the walk', 600);
        page = await service.list(3, page.nextCursor);
        seen.push(...page.items.map((message) => message.id));
      }
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of steady) expect(seen.filter((seenId) => seenId === id)).toHaveLength(1);
      expect(seen).not.toContain(shortInOrder[3]);
    });

    it.each([
      ['garbage', 'garbage!'],
      ['an empty string', ''],
      ['base64 of junk', Buffer.from('junk').toString('base64url')],
      ['a position without an id', Buffer.from('1767225600000:').toString('base64url')],
      [
        'a position with a malformed id',
        Buffer.from('1767225600000:not-a-uuid').toString('base64url'),
      ],
      [
        'a negative expiry',
        Buffer.from('-1:6f1f9a3c-2b7e-4c1d-8e2f-0a9b8c7d6e5f').toString('base64url'),
      ],
    ])('refuses a bad cursor (%s) with ValidationFailedError', async (_case, cursor) => {
      await service.post(ada, 'Hi', 60);
      await expectValidationFailed(service.list(10, cursor), 'cursor');
    });
  });

  describe('userDeleted', () => {
    it('removes only the deleted author’s messages when its account is deleted', async () => {
      const adas = [
        await service.post(ada, 'Ada 1', 60),
        await service.post(ada, 'Ada 2', 120),
        await service.post(ada, 'Ada 3', 600),
      ];
      const bobs = [await service.post(bob, 'Bob 1', 60)];

      await users.deleteAccount(ada.id, PASSWORD, CLIENT);

      for (const message of adas) {
        await expect(service.get(message.id)).rejects.toBeInstanceOf(MessageNotFoundError);
        expect(store.rows.has(message.id)).toBe(false);
      }
      await expect(service.get(bobs[0].id)).resolves.toMatchObject({ authorId: bob.id });
      const page = await service.list(100, undefined);
      expect(page.items.map((message) => message.id)).toEqual([bobs[0].id]);
    });

    it('removes the author’s messages when called directly, and leaves others alone', async () => {
      await service.post(ada, 'Ada', 60);
      const kept = await service.post(bob, 'Bob', 60);
      await service.userDeleted(ada.id);
      expect([...store.rows.keys()]).toEqual([kept.id]);
    });

    it('leaves a tombstone for the author as long as the longest message lives', async () => {
      await users.deleteAccount(ada.id, PASSWORD, CLIENT);
      expect(store.tombstones.get(ada.id)).toBe(clock.now().getTime() + MAX_TTL * 1000);
    });

    it('refuses a post by an author already deleted with TOKEN_REVOKED, storing nothing', async () => {
      await users.deleteAccount(ada.id, PASSWORD, CLIENT);
      const error = await service.post(ada, 'From beyond', 60).catch((e) => e);
      expect(error).toBeInstanceOf(AuthorDeletedError);
      expect(error).toMatchObject({ code: 'TOKEN_REVOKED', kind: 'unauthenticated' });
      expect(store.rows.size).toBe(0);
    });

    it('refuses a post that reaches the store after its author’s deletion', async () => {
      const storePost = store.post.bind(store);
      jest.spyOn(store, 'post').mockImplementationOnce(async (draft) => {
        // The post has its author from the access check; the deletion lands before its write.
        await users.deleteAccount(ada.id, PASSWORD, CLIENT);
        return storePost(draft);
      });
      await expect(service.post(ada, 'Too late', 60)).rejects.toBeInstanceOf(AuthorDeletedError);
      expect([...store.rows.values()].filter((row) => row.authorId === ada.id)).toEqual([]);
      expect(events.published).toEqual([]);
    });

    it('lets the author post again when the deletion that left its tombstone did not happen', async () => {
      // As a deletion whose transaction rolled back after the messages went.
      await store.deleteByAuthor(ada.id, MAX_TTL * 1000);
      const transactions = unitOfWork.transactions;
      const message = await service.post(ada, 'Still here', 60);
      expect(message.authorId).toBe(ada.id);
      expect(store.rows.has(message.id)).toBe(true);
      expect(store.tombstones.has(ada.id)).toBe(false);
      // Decided under the user's row lock, in a transaction of its own.
      expect(unitOfWork.transactions).toBe(transactions + 1);
    });
  });

  describe('live events', () => {
    const announced = () =>
      events.published.map(({ event }) =>
        event.type === 'message.created'
          ? { type: event.type, id: event.message.id }
          : { type: event.type, id: event.id },
      );

    it('announces a post once stored, and a delete once done', async () => {
      const message = await service.post(ada, 'Hello', 60);
      await service.delete(principal(ada), message.id);
      expect(announced()).toEqual([
        { type: 'message.created', id: message.id },
        { type: 'message.deleted', id: message.id },
      ]);
      const created = events.published[0].event;
      expect(created.type === 'message.created' && created.message.authorEmail).toBe(
        'ada@example.com',
      );
    });

    it('announces nothing for a refused post or delete', async () => {
      const message = await service.post(ada, 'Hello', 60);
      await expect(service.post(ada, '   ', 60)).rejects.toBeInstanceOf(ValidationFailedError);
      await expect(service.delete(principal(bob), message.id)).rejects.toBeInstanceOf(
        MessageDeleteForbiddenError,
      );
      expect(announced()).toEqual([{ type: 'message.created', id: message.id }]);
    });

    it('announces the deletion of each live message of a deleted account', async () => {
      const adas = [await service.post(ada, 'Ada 1', 60), await service.post(ada, 'Ada 2', 60)];
      await service.post(bob, 'Bob', 60);
      events.published.length = 0;
      await service.userDeleted(ada.id);
      expect(announced()).toEqual(
        expect.arrayContaining(adas.map(({ id }) => ({ type: 'message.deleted', id }))),
      );
      expect(announced()).toHaveLength(2);
    });

    it('keeps the post when the announcement fails', async () => {
      events.failing = true;
      const message = await service.post(ada, 'Hello', 60);
      await expect(service.get(message.id)).resolves.toMatchObject({ text: 'Hello' });
    });

    it('passes live events to watchers and replays those after an id', async () => {
      const seen: string[] = [];
      const unwatch = await service.watch(({ id }) => seen.push(id));
      await service.post(ada, 'One', 60);
      await service.post(ada, 'Two', 60);
      unwatch();
      await service.post(ada, 'Three', 60);
      expect(seen).toEqual(['1', '2']);
      expect((await service.eventsAfter('1'))?.events.map(({ id }) => id)).toEqual(['2', '3']);
      expect(await service.eventsAfter('unknown')).toBeNull();
    });
  });

  describe('eventsAfter (resuming a stream)', () => {
    const replayed = async (eventId: string) => {
      const replay = await service.eventsAfter(eventId);
      return replay?.events.map(({ id, event }) =>
        event.type === 'message.created'
          ? { id, type: event.type, messageId: event.message.id }
          : { id, type: event.type, messageId: event.id },
      );
    };

    it('sends a creation of a live message as the store has it now', async () => {
      await service.post(ada, 'Before', 60);
      const message = await service.post(ada, 'Still here', 60);
      clock.advance(10_000);
      const replay = await service.eventsAfter('1');
      expect(replay?.events).toHaveLength(1);
      const [{ id, event }] = replay!.events;
      expect(id).toBe('2');
      expect(event.type === 'message.created' && event.message).toEqual(message);
    });

    it('leaves out the creation of a message deleted since, and sends the deletion', async () => {
      await service.post(ada, 'Before', 60);
      const gone = await service.post(ada, 'Deleted soon', 60);
      const kept = await service.post(bob, 'Kept', 60);
      await service.delete(principal(ada), gone.id);
      expect(await replayed('1')).toEqual([
        { id: '3', type: 'message.created', messageId: kept.id },
        { id: '4', type: 'message.deleted', messageId: gone.id },
      ]);
      // The left-out event is covered too: the stream must not send it when the bus delivers it.
      expect((await service.eventsAfter('1'))?.upTo).toBe('4');
    });

    it('covers up to the event resumed from when nothing followed it', async () => {
      await service.post(ada, 'The newest', 60);
      expect(await service.eventsAfter('1')).toEqual({ events: [], upTo: '1' });
    });

    it('leaves out the creation of a message expired since', async () => {
      await service.post(ada, 'Before', 600);
      await service.post(ada, 'Short-lived', 5);
      const lasting = await service.post(bob, 'Lasting', 600);
      clock.advance(5_000);
      expect(await replayed('1')).toEqual([
        { id: '3', type: 'message.created', messageId: lasting.id },
      ]);
    });

    it('answers null for an id the log does not hold, and names the newest one', async () => {
      expect(await service.newestEventId()).toBeNull();
      await service.post(ada, 'One', 60);
      await service.post(ada, 'Two', 60);
      expect(await service.eventsAfter('3')).toBeNull();
      expect(await service.eventsAfter('not-an-id')).toBeNull();
      expect(await service.newestEventId()).toBe('2');
      expect(await replayed('2')).toEqual([]);
    });
  });
});
