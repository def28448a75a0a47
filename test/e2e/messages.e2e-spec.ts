import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import {
  bearer,
  login,
  promoteToAdmin,
  registerAccount,
  type TestAccount,
  uniqueEmail,
} from './support/accounts';
import { MessageStore } from '../../src/messages/domain/message.store';
import { expectError, expectTooManyRequests, expectValidationFailed } from './support/expectations';
import { ISO_UTC_MILLIS, LOWERCASE_UUID } from './support/formats';
import { sleep } from './support/polling';
import { type AppUnderTest, useTestApp } from './support/test-app';
import { redisKeys } from '../../src/common/redis';
import { type TestRedis, testRedisClient, testRedisKeys } from './support/test-redis';

const MESSAGE_FIELDS = [
  'createdAt',
  'email',
  'expiresAt',
  'expiresInMs',
  'id',
  'message',
  'userId',
];
const UNKNOWN_ID = '6f1f9a3c-2b7e-4c1d-8e2f-0a9b8c7d6e5f';
const EMOJI = '\u{1F600}';
interface MessageBody {
  id: string;
  message: string;
  email: string;
  userId: string;
  createdAt: string;
  expiresAt: string;
  expiresInMs: number;
}

/** `message` with exactly its fields, sane types and timestamps. */
function expectMessageShape(body: MessageBody): void {
  expect(Object.keys(body).sort()).toEqual(MESSAGE_FIELDS);
  expect(body.id).toMatch(LOWERCASE_UUID);
  expect(body.createdAt).toMatch(ISO_UTC_MILLIS);
  expect(body.expiresAt).toMatch(ISO_UTC_MILLIS);
  expect(Number.isInteger(body.expiresInMs)).toBe(true);
  expect(body.expiresInMs).toBeGreaterThanOrEqual(0);
}

/** The listing order: soonest to expire first, then by id. */
function expectListingOrder(items: MessageBody[]): void {
  for (let i = 1; i < items.length; i++) {
    const previous = Date.parse(items[i - 1].expiresAt);
    const current = Date.parse(items[i].expiresAt);
    expect(previous <= current).toBe(true);
    if (previous === current) expect(items[i - 1].id < items[i].id).toBe(true);
  }
}

const withoutExpiresIn = ({ expiresInMs: _expiresInMs, ...rest }: MessageBody) => rest;
const keyPrefix = (label: string) => `tm-test-messages-${label}-${randomUUID()}:`;

describe('Messages /messages', () => {
  let redis: TestRedis;

  beforeAll(() => {
    redis = testRedisClient({ maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    await redis.quit();
  });

  const postMessage = (testApp: AppUnderTest, token: string, body: unknown) =>
    testApp.http
      .post('/messages')
      .set(bearer(token))
      .send(body as object);

  async function postOk(
    testApp: AppUnderTest,
    account: TestAccount,
    message: string,
    ttlSeconds?: number,
  ): Promise<MessageBody> {
    const response = await postMessage(testApp, account.accessToken, { message, ttlSeconds });
    expect({ status: response.status, body: response.body }).toMatchObject({ status: 201 });
    return response.body as MessageBody;
  }

  /** Every listed message, walking all pages. */
  async function listAll(testApp: AppUnderTest, limit = 500): Promise<MessageBody[]> {
    const items: MessageBody[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response: Response = await testApp.http
        .get('/messages')
        .query(cursor ? { limit, cursor } : { limit })
        .expect(200);
      items.push(...(response.body.items as MessageBody[]));
      cursor = response.body.nextCursor as string | null;
      pages++;
    } while (cursor && pages < 100);
    return items;
  }

  const listedIds = async (testApp: AppUnderTest) =>
    (await listAll(testApp)).map((item) => item.id);

  describe('reading, posting and deleting', () => {
    const prefix = keyPrefix('main');
    const testApp = useTestApp({
      REDIS_KEY_PREFIX: prefix,
      MESSAGE_TTL_SECONDS: '120',
      MESSAGE_MAX_TTL_SECONDS: '3600',
    });
    let ada: TestAccount;
    let bob: TestAccount;
    let adminToken: string;

    const messageKey = (id: string) => prefix + redisKeys.message(id);
    const byExpiry = prefix + redisKeys.messagesByExpiry();
    const byAuthor = (userId: string) => prefix + redisKeys.messagesByAuthor(userId);
    const tombstone = (userId: string) => prefix + redisKeys.messagesDeletedAuthor(userId);
    const getMessage = (id: string) => testApp.http.get(`/messages/${id}`);
    const deleteMessage = (id: string, token?: string) => {
      const request = testApp.http.delete(`/messages/${id}`);
      return token ? request.set(bearer(token)) : request;
    };

    async function expectGone(id: string): Promise<void> {
      expectError(await getMessage(id), 404, 'MESSAGE_NOT_FOUND', 'Message not found.');
      expect(await listedIds(testApp)).not.toContain(id);
      // The listing call above cleaned the index; the message key expires or is deleted.
      expect(await redis.exists(messageKey(id))).toBe(0);
      expect(await redis.zscore(byExpiry, id)).toBeNull();
    }

    beforeAll(async () => {
      [ada, bob] = await Promise.all([
        registerAccount(testApp, { email: uniqueEmail('ada') }),
        registerAccount(testApp, { email: uniqueEmail('bob') }),
      ]);
      const admin = await registerAccount(testApp, { email: uniqueEmail('admin') });
      await promoteToAdmin(testApp, admin.email);
      adminToken = (await login(testApp, admin.email, admin.password)).accessToken;
    });

    describe('GET /messages', () => {
      it('answers anyone 200 { items, nextCursor }, empty at first', async () => {
        const response = await testApp.http.get('/messages').expect(200);
        expect(Object.keys(response.body).sort()).toEqual(['items', 'nextCursor']);
        expect(response.body).toEqual({ items: [], nextCursor: null });
      });

      it('lists a posted message to anyone, with exactly the message fields', async () => {
        const posted = await postOk(testApp, ada, 'Listed for everyone', 600);
        const response = await testApp.http.get('/messages').expect(200);
        expect(response.body.nextCursor).toBeNull();
        const listed = (response.body.items as MessageBody[]).find((item) => item.id === posted.id);
        expect(listed).toBeDefined();
        expectMessageShape(listed!);
        expect(withoutExpiresIn(listed!)).toEqual(withoutExpiresIn(posted));
      });
    });

    describe('GET /messages from the bodies this instance has listed', () => {
      it('answers a listed message from its held copy, and a deleted one not at all', async () => {
        const posted = await postOk(testApp, ada, 'Held once listed', 600);
        const deleted = await postOk(testApp, ada, 'Deleted behind the service', 600);
        // The first listing subscribes the instance to deletions; the next one holds the bodies.
        await listedIds(testApp);
        await sleep(50);
        expect(await listedIds(testApp)).toEqual(expect.arrayContaining([posted.id, deleted.id]));
        // A message never changes: a body rewritten behind the service shows which copy it reads.
        const body = JSON.parse((await redis.get(messageKey(posted.id)))!);
        await redis.set(messageKey(posted.id), JSON.stringify({ ...body, text: 'rewritten' }));
        // Deleted with no event, as a lost one would be: only the listing script's ids count.
        await redis.zrem(byExpiry, deleted.id);
        await redis.del(messageKey(deleted.id));

        const listed = await listAll(testApp);

        expect(listed.find((item) => item.id === posted.id)?.message).toBe('Held once listed');
        expect(listed.map((item) => item.id)).not.toContain(deleted.id);
        expect((await getMessage(posted.id).expect(200)).body.message).toBe('rewritten');
      });
    });

    describe('GET /messages/:id', () => {
      it('answers anyone the message', async () => {
        const posted = await postOk(testApp, ada, 'Readable by anyone', 600);
        const response = await getMessage(posted.id).expect(200);
        expectMessageShape(response.body);
        expect(withoutExpiresIn(response.body)).toEqual(withoutExpiresIn(posted));
        expect(response.body.expiresInMs).toBeLessThanOrEqual(posted.expiresInMs);
        expect(response.body.expiresInMs).toBeGreaterThan(590_000);
      });

      it('answers the message named by its id in upper case', async () => {
        const posted = await postOk(testApp, ada, 'Read in any case', 600);
        const response = await getMessage(posted.id.toUpperCase()).expect(200);
        expect(response.body.id).toBe(posted.id);
      });

      it.each([
        ['an unknown uuid', UNKNOWN_ID],
        ['a malformed id', 'not-a-uuid'],
        ['a number', '12345'],
        ['an over-long id', 'a'.repeat(300)],
      ])('answers 404 MESSAGE_NOT_FOUND for %s', async (_case, id) => {
        expectError(await getMessage(id), 404, 'MESSAGE_NOT_FOUND', 'Message not found.');
      });
    });

    describe('POST /messages', () => {
      it('answers 401 AUTH_REQUIRED without a token, and stores nothing', async () => {
        const text = `anonymous ${randomUUID()}`;
        const response = await testApp.http.post('/messages').send({ message: text });
        expectError(response, 401, 'AUTH_REQUIRED', 'Provide a valid auth token.');
        expect(response.headers['www-authenticate']).toBe('Bearer');
        const invalid = await testApp.http
          .post('/messages')
          .set(bearer('not-a-jwt'))
          .send({ message: text });
        expectError(invalid, 401, 'TOKEN_INVALID');
        // Authentication comes before validation.
        const invalidBody = await testApp.http.post('/messages').send({ message: '' });
        expectError(invalidBody, 401, 'AUTH_REQUIRED');
        expect((await listAll(testApp)).map((item) => item.message)).not.toContain(text);
      });

      it('answers 201 with the message: author from the token, text trimmed, ttl applied', async () => {
        const before = Date.now();
        const response = await postMessage(testApp, ada.accessToken, {
          message: '  Hello, world!  \n',
          ttlSeconds: 600,
        });
        const after = Date.now();
        expect(response.status).toBe(201);
        const body = response.body as MessageBody;
        expectMessageShape(body);
        expect(body).toMatchObject({ message: 'Hello, world!', email: ada.email, userId: ada.id });
        const createdAt = Date.parse(body.createdAt);
        const expiresAt = Date.parse(body.expiresAt);
        expect(expiresAt - createdAt).toBe(600_000);
        expect(createdAt).toBeGreaterThanOrEqual(before - 1000);
        expect(createdAt).toBeLessThanOrEqual(after + 1000);
        expect(body.expiresInMs).toBeGreaterThan(595_000);
        expect(body.expiresInMs).toBeLessThanOrEqual(600_000);

        // Stored as read back, under its own key that expires by itself, and in the index.
        expect(withoutExpiresIn((await getMessage(body.id).expect(200)).body)).toEqual(
          withoutExpiresIn(body),
        );
        const pttl = await redis.pttl(messageKey(body.id));
        expect(pttl).toBeGreaterThan(590_000);
        expect(pttl).toBeLessThanOrEqual(600_000);
        expect(Number(await redis.zscore(byExpiry, body.id))).toBe(expiresAt);
        expect(Number(await redis.zscore(byAuthor(ada.id), body.id))).toBe(expiresAt);
        expect(await redis.pttl(byAuthor(ada.id))).toBeGreaterThanOrEqual(pttl - 1000);
      });

      it('uses MESSAGE_TTL_SECONDS (120) when ttlSeconds is omitted', async () => {
        const body = await postOk(testApp, bob, 'Default lifetime');
        expect(Date.parse(body.expiresAt) - Date.parse(body.createdAt)).toBe(120_000);
        expect(body.expiresInMs).toBeGreaterThan(115_000);
        expect(body.expiresInMs).toBeLessThanOrEqual(120_000);
        expect(body).toMatchObject({ email: bob.email, userId: bob.id });
      });

      it('accepts ttlSeconds of 1 and of exactly MESSAGE_MAX_TTL_SECONDS (3600)', async () => {
        const longest = await postOk(testApp, bob, 'Longest lifetime', 3600);
        expect(Date.parse(longest.expiresAt) - Date.parse(longest.createdAt)).toBe(3_600_000);
        const shortest = await postOk(testApp, bob, 'Shortest lifetime', 1);
        expect(Date.parse(shortest.expiresAt) - Date.parse(shortest.createdAt)).toBe(1000);
      });

      it('accepts exactly 1000 emoji: 1000 code points, 2000 UTF-16 units', async () => {
        const text = EMOJI.repeat(1000);
        const body = await postOk(testApp, ada, text, 600);
        expect(body.message).toBe(text);
        expect(body.message.length).toBe(2000);
        expect([...body.message]).toHaveLength(1000);
        expect((await getMessage(body.id).expect(200)).body.message).toBe(text);
      });

      it('accepts 1000 characters surrounded by whitespace, trimmed', async () => {
        const text = 'a'.repeat(1000);
        const body = await postOk(testApp, ada, `   ${text}\n\t `, 600);
        expect(body.message).toBe(text);
      });

      it('stores and returns markup verbatim, as text', async () => {
        const text = `<script>alert("xss")</script> & <b>bold</b> \\ / 'quotes' Cafe\u0301 ${EMOJI}`;
        const response = await postMessage(testApp, ada.accessToken, {
          message: text,
          ttlSeconds: 600,
        });
        expect(response.status).toBe(201);
        expect(response.headers['content-type']).toMatch(/^application\/json/);
        expect(response.body.message).toBe(text);
        const read = await getMessage(response.body.id).expect(200);
        expect(read.headers['content-type']).toMatch(/^application\/json/);
        expect(read.body.message).toBe(text);
        const listed = (await listAll(testApp)).find((item) => item.id === response.body.id);
        expect(listed?.message).toBe(text);
      });

      describe('refuses an invalid body with 400 VALIDATION_FAILED and stores nothing', () => {
        let rejected: TestAccount;

        beforeAll(async () => {
          rejected = await registerAccount(testApp, { email: uniqueEmail('rejected') });
        });

        const cases: [string, unknown, string][] = [
          ['an empty message', { message: '' }, 'message'],
          ['a whitespace-only message', { message: ' \t\n\u00a0 ' }, 'message'],
          ['a missing message', { ttlSeconds: 60 }, 'message'],
          ['1001 characters', { message: 'a'.repeat(1001) }, 'message'],
          ['1001 emoji (code points)', { message: EMOJI.repeat(1001) }, 'message'],
          ['a number as message', { message: 42 }, 'message'],
          ['an array as message', { message: ['hi'] }, 'message'],
          ['an object as message', { message: { text: 'hi' } }, 'message'],
          ['a null message', { message: null }, 'message'],
          ['a NUL byte', { message: 'hi\u0000there' }, 'message'],
          ['ttlSeconds 0', { message: 'hi', ttlSeconds: 0 }, 'ttlSeconds'],
          ['ttlSeconds -1', { message: 'hi', ttlSeconds: -1 }, 'ttlSeconds'],
          ['ttlSeconds 1.5', { message: 'hi', ttlSeconds: 1.5 }, 'ttlSeconds'],
          ['ttlSeconds "60" (a string)', { message: 'hi', ttlSeconds: '60' }, 'ttlSeconds'],
          ['ttlSeconds null', { message: 'hi', ttlSeconds: null }, 'ttlSeconds'],
          ['ttlSeconds true', { message: 'hi', ttlSeconds: true }, 'ttlSeconds'],
          ['ttlSeconds above the maximum', { message: 'hi', ttlSeconds: 3601 }, 'ttlSeconds'],
          ['a huge ttlSeconds', { message: 'hi', ttlSeconds: 1e21 }, 'ttlSeconds'],
          ['an unknown field', { message: 'hi', color: 'red' }, 'color'],
          ['a forged email', { message: 'hi', email: 'someone@example.com' }, 'email'],
          ['a forged userId', { message: 'hi', userId: UNKNOWN_ID }, 'userId'],
          ['a forged authorId', { message: 'hi', authorId: UNKNOWN_ID }, 'authorId'],
          ['a forged authorEmail', { message: 'hi', authorEmail: 'x@example.com' }, 'authorEmail'],
          ['a forged id', { message: 'hi', id: UNKNOWN_ID }, 'id'],
          ['a forged expiresAt', { message: 'hi', expiresAt: '2999-01-01T00:00:00Z' }, 'expiresAt'],
        ];

        it.each(cases)('%s', async (_case, body, field) => {
          expectValidationFailed(await postMessage(testApp, rejected.accessToken, body), field);
          const listed = await listAll(testApp);
          expect(listed.filter((item) => item.userId === rejected.id)).toEqual([]);
          expect(listed.filter((item) => item.message === 'hi')).toEqual([]);
        });

        it('a forged author under __proto__', async () => {
          const response = await testApp.http
            .post('/messages')
            .set(bearer(rejected.accessToken))
            .set('Content-Type', 'application/json')
            .send(`{"message":"hi","__proto__":{"userId":"${ada.id}","email":"${ada.email}"}}`);
          expectValidationFailed(response, '__proto__');
          const listed = await listAll(testApp);
          expect(listed.filter((item) => item.userId === rejected.id)).toEqual([]);
          expect(listed.filter((item) => item.message === 'hi')).toEqual([]);
        });

        it('a body that is not an object', async () => {
          const response = await postMessage(testApp, rejected.accessToken, ['hi']);
          expectError(response, 400, 'VALIDATION_FAILED');
          expect((await listAll(testApp)).filter((item) => item.userId === rejected.id)).toEqual(
            [],
          );
        });
      });

      it('always stores the token’s user as the author', async () => {
        const mine = await postOk(testApp, bob, 'Written by Bob', 600);
        const listed = (await listAll(testApp)).find((item) => item.id === mine.id);
        expect(listed).toMatchObject({ userId: bob.id, email: bob.email });
        for (const item of await listAll(testApp)) {
          expect([ada.id, bob.id]).toContain(item.userId);
          expect(item.email).toBe(item.userId === ada.id ? ada.email : bob.email);
        }
      });
    });

    describe('listing order and expiry', () => {
      it('lists the soonest to expire first', async () => {
        const in300 = await postOk(testApp, ada, 'ttl 300', 300);
        const in100 = await postOk(testApp, bob, 'ttl 100', 100);
        const in200 = await postOk(testApp, ada, 'ttl 200', 200);
        const listed = await listAll(testApp);
        const mine = [in300.id, in100.id, in200.id];
        expect(listed.map((item) => item.id).filter((id) => mine.includes(id))).toEqual([
          in100.id,
          in200.id,
          in300.id,
        ]);
        expectListingOrder(listed);
      });

      it('drops a message at its expiry: from the list, from GET, and its Redis keys', async () => {
        const body = await postOk(testApp, ada, 'Gone in a second', 1);
        expect(Date.parse(body.expiresAt) - Date.parse(body.createdAt)).toBe(1000);
        expect(body.expiresInMs).toBeLessThanOrEqual(1000);
        expect(await listedIds(testApp)).toContain(body.id);
        await getMessage(body.id).expect(200);
        expect(await redis.pttl(messageKey(body.id))).toBeLessThanOrEqual(1000);
        expect(await redis.zscore(byExpiry, body.id)).not.toBeNull();

        await sleep(1300);

        // A write cleans the expired entries out of the indexes, before any listing.
        await postOk(testApp, ada, 'A later write', 600);
        expect(await redis.zscore(byExpiry, body.id)).toBeNull();
        expect(await redis.zscore(byAuthor(ada.id), body.id)).toBeNull();
        await expectGone(body.id);
        expectError(
          await deleteMessage(body.id, ada.accessToken),
          404,
          'MESSAGE_NOT_FOUND',
          'Message not found.',
        );
      });
    });

    describe('DELETE /messages/:id', () => {
      it('lets the author delete its message: 204, then 404 and gone from the list', async () => {
        const body = await postOk(testApp, ada, 'Delete me', 600);
        const response = await deleteMessage(body.id, ada.accessToken).expect(204);
        expect(response.text).toBe('');
        await expectGone(body.id);
        expect(await redis.zscore(byAuthor(ada.id), body.id)).toBeNull();
        expectError(await deleteMessage(body.id, ada.accessToken), 404, 'MESSAGE_NOT_FOUND');
      });

      it('refuses another user with 403 FORBIDDEN and keeps the message', async () => {
        const body = await postOk(testApp, ada, 'Not yours', 600);
        expectError(
          await deleteMessage(body.id, bob.accessToken),
          403,
          'FORBIDDEN',
          'Only the author or an admin can delete this message.',
        );
        await getMessage(body.id).expect(200);
        expect(await listedIds(testApp)).toContain(body.id);
      });

      it('deletes a message named by its id in upper case', async () => {
        const body = await postOk(testApp, ada, 'Deleted in any case', 600);
        await deleteMessage(body.id.toUpperCase(), ada.accessToken).expect(204);
        await expectGone(body.id);
        expect(await redis.zscore(byAuthor(ada.id), body.id)).toBeNull();
      });

      it('lets an admin delete anyone’s message', async () => {
        const body = await postOk(testApp, bob, 'Moderated', 600);
        await deleteMessage(body.id, adminToken).expect(204);
        await expectGone(body.id);
      });

      it.each([
        ['an unknown uuid', UNKNOWN_ID],
        ['a malformed id', 'not-a-uuid'],
      ])('answers 404 MESSAGE_NOT_FOUND for %s', async (_case, id) => {
        expectError(await deleteMessage(id, ada.accessToken), 404, 'MESSAGE_NOT_FOUND');
        expectError(await deleteMessage(id, adminToken), 404, 'MESSAGE_NOT_FOUND');
      });

      it('answers 401 AUTH_REQUIRED without a token and keeps the message', async () => {
        const body = await postOk(testApp, ada, 'Still here', 600);
        expectError(await deleteMessage(body.id), 401, 'AUTH_REQUIRED');
        await getMessage(body.id).expect(200);
      });
    });

    describe('account deletion', () => {
      it('takes the user’s messages with it, and leaves other users’ messages', async () => {
        const carol = await registerAccount(testApp, { email: uniqueEmail('carol') });
        const carols = [
          await postOk(testApp, carol, 'Carol 1', 60),
          await postOk(testApp, carol, 'Carol 2', 600),
          await postOk(testApp, carol, 'Carol 3', 3600),
        ];
        const bobs = await postOk(testApp, bob, 'Bob stays', 600);
        const before = await listedIds(testApp);
        for (const message of carols) expect(before).toContain(message.id);
        expect(await redis.exists(byAuthor(carol.id))).toBe(1);

        await testApp.http
          .delete('/users/me')
          .set(bearer(carol.accessToken))
          .send({ password: carol.password })
          .expect(204);

        for (const message of carols) await expectGone(message.id);
        expect(await redis.exists(byAuthor(carol.id))).toBe(0);
        // Refuses posts of the deleted author as long as the longest message lives (3600 s).
        expect(await redis.pttl(tombstone(carol.id))).toBeGreaterThan(3_590_000);
        expect((await listAll(testApp)).filter((item) => item.userId === carol.id)).toEqual([]);
        await getMessage(bobs.id).expect(200);
        expect(await listedIds(testApp)).toContain(bobs.id);
        expect(await redis.zscore(byExpiry, bobs.id)).not.toBeNull();

        expectError(
          await postMessage(testApp, carol.accessToken, { message: 'From beyond' }),
          401,
          'TOKEN_REVOKED',
        );
      });

      const deleteAccount = (account: TestAccount) =>
        testApp.http
          .delete('/users/me')
          .set(bearer(account.accessToken))
          .send({ password: account.password });

      async function expectNothingLeftOf(account: TestAccount): Promise<void> {
        expect((await listAll(testApp)).filter((item) => item.userId === account.id)).toEqual([]);
        expect(await redis.exists(byAuthor(account.id))).toBe(0);
        const keys = await testRedisKeys(redis, `${prefix}${redisKeys.message('*')}`);
        const bodies = keys.length > 0 ? await redis.mget(keys) : [];
        expect(bodies.filter((body) => body?.includes(account.id))).toEqual([]);
      }

      it('refuses a post that read the account before its deletion and lands after it', async () => {
        await testApp.listen();
        const dave = await registerAccount(testApp, { email: uniqueEmail('dave') });
        const store = testApp.app.get(MessageStore);
        const storePost = store.post.bind(store);
        let reachedStore!: () => void;
        const reached = new Promise<void>((resolve) => (reachedStore = resolve));
        let release!: () => void;
        const released = new Promise<void>((resolve) => (release = resolve));
        // Holds the post between its account check and its write, while the deletion runs.
        const spy = jest.spyOn(store, 'post').mockImplementationOnce(async (draft) => {
          reachedStore();
          await released;
          return storePost(draft);
        });
        try {
          const racing = postMessage(testApp, dave.accessToken, { message: 'Racing' }).then(
            (response) => response,
          );
          await reached;
          await deleteAccount(dave).expect(204);
          release();
          expectError(
            await racing,
            401,
            'TOKEN_REVOKED',
            'Token blacklisted. Please log in again.',
          );
        } finally {
          spy.mockRestore();
        }
        await expectNothingLeftOf(dave);
      });

      it('leaves no message of an author whose posts run concurrently with its deletion', async () => {
        await testApp.listen();
        const erin = await registerAccount(testApp, { email: uniqueEmail('erin') });
        const posts = Array.from({ length: 30 }, (_, i) =>
          postMessage(testApp, erin.accessToken, { message: `Concurrent ${i}` }).then(
            (response) => response,
          ),
        );
        const deletion = deleteAccount(erin).then((response) => response);
        const answers = await Promise.all(posts);
        expect((await deletion).status).toBe(204);
        for (const answer of answers) expect([201, 401]).toContain(answer.status);
        await expectNothingLeftOf(erin);
      });
    });
  });

  describe('pagination', () => {
    const testApp = useTestApp({
      REDIS_KEY_PREFIX: keyPrefix('pages'),
      MESSAGE_TTL_SECONDS: '600',
    });
    let author: TestAccount;
    const posted: string[] = [];

    beforeAll(async () => {
      author = await registerAccount(testApp);
      for (let chunk = 0; chunk < 101; chunk += 20) {
        const size = Math.min(20, 101 - chunk);
        const bodies = await Promise.all(
          Array.from({ length: size }, (_, i) => postOk(testApp, author, `Page ${chunk + i}`)),
        );
        posted.push(...bodies.map((body) => body.id));
      }
    });

    it('answers 100 by default, then the rest after the cursor', async () => {
      const first = await testApp.http.get('/messages').expect(200);
      expect(first.body.items).toHaveLength(100);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      expect(first.body.nextCursor).not.toContain(first.body.items[99].id);
      const second = await testApp.http
        .get('/messages')
        .query({ cursor: first.body.nextCursor })
        .expect(200);
      expect(second.body.items).toHaveLength(1);
      expect(second.body.nextCursor).toBeNull();
      const ids = [...first.body.items, ...second.body.items].map((item: MessageBody) => item.id);
      expect(new Set(ids).size).toBe(101);
      expect([...ids].sort()).toEqual([...posted].sort());
      expectListingOrder([...first.body.items, ...second.body.items]);
    });

    it('accepts limit=500 and answers everything on one page', async () => {
      const response = await testApp.http.get('/messages?limit=500').expect(200);
      expect(response.body.items).toHaveLength(101);
      expect(response.body.nextCursor).toBeNull();
    });

    it('honours a small limit on every page', async () => {
      const ids: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const response: Response = await testApp.http
          .get('/messages')
          .query(cursor ? { limit: 25, cursor } : { limit: 25 })
          .expect(200);
        ids.push(...response.body.items.map((item: MessageBody) => item.id));
        cursor = response.body.nextCursor;
        pages++;
        expect(response.body.items).toHaveLength(cursor ? 25 : 1);
      } while (cursor && pages < 10);
      expect(pages).toBe(5);
      expect([...ids].sort()).toEqual([...posted].sort());
    });

    it.each([
      ['0', '?limit=0'],
      ['501', '?limit=501'],
      ['1.5', '?limit=1.5'],
      ['abc', '?limit=abc'],
      ['empty', '?limit='],
      ['-1', '?limit=-1'],
    ])('answers 400 VALIDATION_FAILED for limit %s', async (_case, query) => {
      expectValidationFailed(await testApp.http.get(`/messages${query}`), 'limit');
    });

    it.each([
      ['garbage', 'garbage!!'],
      ['base64 of junk', Buffer.from('junk').toString('base64url')],
      ['base64 of a JSON value', Buffer.from('["2026-01-01",1]').toString('base64url')],
      ['a position with a malformed id', Buffer.from(`${Date.now()}:nope`).toString('base64url')],
      ['an empty cursor', ''],
      ['an over-long cursor', 'A'.repeat(1000)],
    ])('answers 400 VALIDATION_FAILED for a bad cursor: %s', async (_case, cursor) => {
      expectValidationFailed(await testApp.http.get('/messages').query({ cursor }), 'cursor');
    });
  });

  describe('walking every page while messages expire and arrive', () => {
    const testApp = useTestApp({ REDIS_KEY_PREFIX: keyPrefix('walk') });
    let author: TestAccount;

    beforeAll(async () => {
      author = await registerAccount(testApp);
    });

    it('lists every message live for the whole walk exactly once, and no id twice', async () => {
      const steady = (
        await Promise.all(
          Array.from({ length: 30 }, (_, i) => postOk(testApp, author, `Steady ${i}`, 600)),
        )
      ).map((body) => body.id);
      // Sorted first (soonest to expire) and gone before the walk's second page.
      const shortLived = await Promise.all(
        Array.from({ length: 9 }, (_, i) => postOk(testApp, author, `Short ${i}`, 1)),
      );
      const shortIds = shortLived.map((body) => body.id);

      const pages: MessageBody[][] = [];
      const arrived: string[] = [];
      let cursor: string | null = null;
      do {
        const response: Response = await testApp.http
          .get('/messages')
          .query(cursor ? { limit: 7, cursor } : { limit: 7 })
          .expect(200);
        pages.push(response.body.items);
        cursor = response.body.nextCursor;
        if (pages.length === 1) {
          // The first page ends on a short-lived message, whose position then expires.
          expect(pages[0].map((item) => item.id).every((id) => shortIds.includes(id))).toBe(true);
          const lastShortExpiry = Math.max(...shortLived.map((body) => Date.parse(body.expiresAt)));
          await sleep(Math.max(0, lastShortExpiry - Date.now()) + 300);
        }
        if (cursor && pages.length <= 6) {
          // Arrivals expire after everything listed so far, so they sort after the cursor.
          for (let i = 0; i < 2; i++) {
            arrived.push((await postOk(testApp, author, `Arrived ${pages.length}.${i}`, 600)).id);
          }
        }
      } while (cursor && pages.length < 50);

      expect(cursor).toBeNull();
      const walked = pages.flat();
      const ids = walked.map((item) => item.id);
      expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
      for (const id of [...steady, ...arrived]) {
        expect({ id, times: ids.filter((seen) => seen === id).length }).toEqual({ id, times: 1 });
      }
      // Short-lived messages appear only while live: on the first page, never after.
      expect(
        pages
          .slice(1)
          .flat()
          .filter((item) => shortIds.includes(item.id)),
      ).toEqual([]);
      expect(pages.slice(0, -1).every((page) => page.length === 7)).toBe(true);
      expectListingOrder(walked);
    });
  });

  describe('post limit', () => {
    const testApp = useTestApp({ REDIS_KEY_PREFIX: keyPrefix('limit'), MESSAGE_POST_LIMIT: '3' });

    it('answers 429 with Retry-After past MESSAGE_POST_LIMIT a minute, and stores nothing', async () => {
      const [dave, eve] = await Promise.all([
        registerAccount(testApp, { email: uniqueEmail('dave') }),
        registerAccount(testApp, { email: uniqueEmail('eve') }),
      ]);
      const allowed: string[] = [];
      for (let i = 0; i < 3; i++) allowed.push((await postOk(testApp, dave, `Dave ${i}`, 600)).id);

      const response = await postMessage(testApp, dave.accessToken, {
        message: 'One too many',
        ttlSeconds: 600,
      });
      expectTooManyRequests(response, 60);

      const listed = await listAll(testApp);
      expect(
        listed
          .filter((item) => item.userId === dave.id)
          .map((item) => item.id)
          .sort(),
      ).toEqual([...allowed].sort());
      expect(listed.map((item) => item.message)).not.toContain('One too many');

      // Another user has a budget of its own.
      await postOk(testApp, eve, 'Eve is fine', 600);
    });
  });

  describe('public read limit', () => {
    const testApp = useTestApp({
      REDIS_KEY_PREFIX: keyPrefix('reads'),
      PUBLIC_READ_LIMIT: '3',
      TRUST_PROXY: '1',
    });

    /** A client address of its own, as the trusted proxy forwards it. */
    const from = (address: string) => ({ 'X-Forwarded-For': address });

    it('answers 429 with Retry-After past PUBLIC_READ_LIMIT reads a minute per address', async () => {
      const reader = from('198.51.100.7');
      await testApp.http.get('/messages').set(reader).expect(200);
      await testApp.http.get(`/messages/${UNKNOWN_ID}`).set(reader).expect(404);
      await testApp.http.get('/messages?limit=1').set(reader).expect(200);

      expectTooManyRequests(await testApp.http.get('/messages').set(reader), 60);
      const single = await testApp.http.get(`/messages/${UNKNOWN_ID}`).set(reader);
      expectError(single, 429, 'TOO_MANY_REQUESTS');
      expect(single.headers['retry-after']).toMatch(/^\d+$/);

      // Another address has an allowance of its own.
      await testApp.http.get('/messages').set(from('198.51.100.8')).expect(200);
    });
  });
});
