import { randomUUID } from 'node:crypto';
import { bearer, registerAccount, type TestAccount } from './support/accounts';
import { type EventStream, openEventStream } from './support/event-stream';
import { sleep } from './support/polling';
import { useTestApp } from './support/test-app';
import { type TestRedis, testRedisClient, testRedisKeys } from './support/test-redis';
import { redisKeys } from '../../src/common/redis';

/**
 * Everything Redis holds under a key prefix, key names and values, as one text: each key is read
 * whole, by its type.
 */
async function everythingUnder(
  redis: TestRedis,
  keyPrefix: string,
  exceptKey?: string,
): Promise<string> {
  const parts: string[] = [];
  for (const key of await testRedisKeys(redis, `${keyPrefix}*`)) {
    if (key === exceptKey) continue;
    parts.push(key, JSON.stringify(await readWhole(redis, key)));
  }
  return parts.join('\n');
}

async function readWhole(redis: TestRedis, key: string): Promise<unknown> {
  const type = await redis.type(key);
  switch (type) {
    case 'none':
      return null;
    case 'string':
      return redis.get(key);
    case 'hash':
      return redis.hgetall(key);
    case 'list':
      return redis.lrange(key, 0, -1);
    case 'set':
      return redis.smembers(key);
    case 'zset':
      return redis.zrange(key, 0, -1, 'WITHSCORES');
    case 'stream':
      return redis.xrange(key, '-', '+');
    default:
      throw new Error(`No reader for the Redis type ${type} of ${key}`);
  }
}

/**
 * Ephemeral means gone: once a message has expired or been deleted, no Redis key of the service
 * holds its text or its author's email, whatever else happened to it (a live stream sent it, the
 * events log recorded it). One key may hold the email of an author who is still signed in: the
 * author's own account copy in the auth cache, which every authenticated request reads (and
 * which a deleted account's tombstone replaces); never a message's text.
 */
describe('Ephemeral messages leave nothing in Redis', () => {
  const keyPrefix = `tm-test-ephemeral-${randomUUID()}:`;
  let redis: TestRedis;
  beforeAll(() => {
    redis = testRedisClient();
  });
  afterAll(() => redis.disconnect());
  const app = useTestApp({ REDIS_KEY_PREFIX: keyPrefix });
  // The account is made through an instance with other keys, so that this prefix holds only
  // what posting, streaming and deleting messages wrote.
  const other = useTestApp({ REDIS_KEY_PREFIX: `tm-test-ephemeral-other-${randomUUID()}:` });
  let author: TestAccount;
  let stream: EventStream;

  const post = async (message: string, ttlSeconds: number) =>
    (
      await app.http
        .post('/messages')
        .set(bearer(author.accessToken))
        .send({ message, ttlSeconds })
        .expect(201)
    ).body as { id: string; message: string; email: string };

  const expectNoTrace = async (text: string, account: TestAccount) => {
    expect(await everythingUnder(redis, keyPrefix)).not.toContain(text);
    const accountCopy = `${keyPrefix}${redisKeys.authAccount(account.id)}`;
    expect(await everythingUnder(redis, keyPrefix, accountCopy)).not.toContain(account.email);
  };

  beforeAll(async () => {
    author = await registerAccount(other);
  });

  beforeEach(async () => {
    stream = await openEventStream(`${await app.listen()}/messages/stream`);
  });

  afterEach(async () => {
    await stream.close();
  });

  it('holds no trace of a message once it has expired', async () => {
    const text = `expiring ${randomUUID()}`;
    const message = await post(text, 1);
    await stream.waitFor((event) => event.event === 'message.created' && event.data.includes(text));
    // The read finds the message while it lives: a trace would be seen.
    expect(await everythingUnder(redis, keyPrefix)).toContain(text);
    expect(await everythingUnder(redis, keyPrefix)).toContain(author.email);

    await sleep(1100);
    expect((await app.http.get(`/messages/${message.id}`)).status).toBe(404);
    await expectNoTrace(text, author);
  });

  it('holds no trace of a message once it has been deleted', async () => {
    const text = `deleted ${randomUUID()}`;
    const message = await post(text, 600);
    await stream.waitFor((event) => event.event === 'message.created' && event.data.includes(text));
    expect(await everythingUnder(redis, keyPrefix)).toContain(text);

    await app.http.delete(`/messages/${message.id}`).set(bearer(author.accessToken)).expect(204);
    await stream.waitFor((event) => event.event === 'message.deleted');
    await expectNoTrace(text, author);
  });

  it('holds no trace of the messages of a deleted account', async () => {
    const leaving = await registerAccount(other);
    const text = `of a deleted account ${randomUUID()}`;
    await app.http
      .post('/messages')
      .set(bearer(leaving.accessToken))
      .send({ message: text, ttlSeconds: 600 })
      .expect(201);
    await stream.waitFor((event) => event.event === 'message.created' && event.data.includes(text));
    expect(await everythingUnder(redis, keyPrefix)).toContain(leaving.email);

    await app.http
      .delete('/users/me')
      .set(bearer(leaving.accessToken))
      .send({ password: leaving.password })
      .expect(204);
    await stream.waitFor((event) => event.event === 'message.deleted');
    // Its account copy is a tombstone now: the email is nowhere.
    await expectNoTrace(text, leaving);
    expect(await everythingUnder(redis, keyPrefix)).not.toContain(leaving.email);
  });
});
