import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { Redis } from 'ioredis';
import { type CliOutput, runCli } from '../../../src/cli';
import { redisKeys } from '../../../src/common/redis';
import {
  type RedisCluster,
  startRedisCluster,
  startRedisServer,
} from '../../support/redis-cluster';
import { bearer, registerAccount, type TestAccount } from '../support/accounts';
import { sleep } from '../support/polling';
import { type AppUnderTest, startTestApp, useTestApp } from '../support/test-app';
import { TEST_REDIS_URL, testConfig } from '../support/test-environment';
import { type TestRedis, testRedisClient, testRedisKeys } from '../support/test-redis';
import type { MessageResponseDto } from '../../../src/messages/http/dto/message.response';

interface CliRun {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

/** A message as the API answers it. */
type ListedMessage = MessageResponseDto;

const summary = (copied: number, expired: number, already: number, ofDeleted: number) =>
  `copied ${copied} messages, ${expired} had expired, ${already} already there, ${ofDeleted} of deleted accounts`;

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * An operator moves the service from one Redis to a cluster: messages posted through an app on
 * the single test Redis (under a key prefix of this suite's own) are copied by the CLI, in
 * process, to a cluster this suite starts, and read back through an app on that cluster.
 */
describe('redis-copy-messages, from the single test Redis to a Redis Cluster', () => {
  const prefix = `tm-test-copy-${randomUUID()}:`;
  const onSource = { REDIS_CLUSTER_NODES: '', REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix };
  let cluster: RedisCluster;
  const onCluster = () => ({
    REDIS_CLUSTER_NODES: cluster.nodes.join(','),
    REDIS_URL: '',
    REDIS_KEY_PREFIX: prefix,
  });
  let sourceRedis: Redis;
  let clusterRedis: TestRedis;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    sourceRedis = new Redis(TEST_REDIS_URL);
    clusterRedis = testRedisClient({}, cluster.nodes.join(','));
  }, 30_000);

  afterAll(async () => {
    // The source's keys under the suite's prefix (the board's index has no expiry of its own).
    const keys = sourceRedis ? await testRedisKeys(sourceRedis, `${prefix}*`) : [];
    if (keys.length > 0) await sourceRedis.del(...keys);
    sourceRedis?.disconnect();
    clusterRedis?.disconnect();
    await cluster?.stop();
  });

  const source = useTestApp(onSource);
  const target = useTestApp(onCluster);

  /** Runs the command in process, on the settings given (the cluster's by default). */
  async function copy(args: string[], settings: Record<string, string> = onCluster()) {
    const out: string[] = [];
    const err: string[] = [];
    const output: CliOutput = { out: (line) => out.push(line), err: (line) => err.push(line) };
    const code = await runCli(['redis-copy-messages', ...args], testConfig(settings), output);
    return { code, out, err } satisfies CliRun;
  }

  const copyFromSource = (settings?: Record<string, string>) =>
    copy(['--from', TEST_REDIS_URL], settings);

  async function post(account: TestAccount, message: string, ttlSeconds: number) {
    const response = await source.http
      .post('/messages')
      .set(bearer(account.accessToken))
      .send({ message, ttlSeconds })
      .expect(201);
    return response.body as ListedMessage;
  }

  /** The board as an app lists it, without the time left, which moves. */
  async function board(app: AppUnderTest): Promise<Omit<ListedMessage, 'expiresInMs'>[]> {
    const response = await app.http.get('/messages?limit=100').expect(200);
    expect(response.body.nextCursor).toBeNull();
    return (response.body.items as ListedMessage[]).map(({ expiresInMs: _, ...stable }) => stable);
  }

  /** What Redis holds of a message and its indexes, raw: the body, the indexes, the expiries. */
  async function stored(redis: TestRedis, message: ListedMessage) {
    const key = (name: string) => `${prefix}${name}`;
    const byAuthor = key(redisKeys.messagesByAuthor(message.userId));
    return {
      body: await redis.get(key(redisKeys.message(message.id))),
      expiresAt: await redis.pexpiretime(key(redisKeys.message(message.id))),
      byExpiry: await redis.zrange(key(redisKeys.messagesByExpiry()), 0, -1, 'WITHSCORES'),
      // Live entries: an author's index keeps an expired id until the author posts again.
      byAuthor: await redis.zrange(byAuthor, Date.now(), '+inf', 'BYSCORE', 'WITHSCORES'),
      byAuthorExpiresAt: await redis.pexpiretime(byAuthor),
    };
  }

  let ada: TestAccount;
  let bob: TestAccount;
  const posted: ListedMessage[] = [];

  it('copies every live message as it is, in the same order, each with the time it had left', async () => {
    ada = await registerAccount(source);
    bob = await registerAccount(source);
    posted.push(
      await post(ada, 'five minutes', 300),
      await post(bob, 'one minute', 60),
      await post(ada, 'two minutes', 120),
      await post(bob, 'déjà « vu » 🎉, ten minutes', 600),
    );
    const expired = await post(ada, 'one second', 1);
    await sleep(1_100);
    const listed = await board(source);
    expect(listed.map(({ id }) => id)).not.toContain(expired.id);

    const run = await copyFromSource();

    expect(run).toEqual({ code: 0, out: [summary(4, 0, 0, 0)], err: [] });
    expect(await board(target)).toEqual(listed);
    await target.http.get(`/messages/${expired.id}`).expect(404);
    for (const message of posted) {
      // Byte for byte what the source holds, expiring at the same instant: the time it had left.
      const copied = await stored(clusterRedis, message);
      expect(copied).toEqual(await stored(sourceRedis, message));
      expect(copied.expiresAt).toBe(Date.parse(message.expiresAt));
      const left = Date.parse(message.expiresAt) - Date.now();
      const ttl = await clusterRedis.pttl(`${prefix}${redisKeys.message(message.id)}`);
      expect(ttl).toBeLessThanOrEqual(left + 50);
      expect(ttl).toBeGreaterThan(left - 2_000);
    }
  });

  it('copies on a later run what was posted meanwhile, nothing twice, nothing deleted on the cluster', async () => {
    const meanwhile = await post(ada, 'posted on the old Redis after the first copy', 240);
    // Carol posts through an instance still on the old Redis, then deletes her account through
    // one on the cluster: her tombstone there refuses her message.
    const carol = await registerAccount(source);
    await post(carol, 'of an account deleted on the cluster', 300);
    await target.http
      .delete('/users/me')
      .set(bearer(carol.accessToken))
      .send({ password: carol.password })
      .expect(204);
    // Ada deletes a copied message through an instance on the cluster: it must not come back.
    const deleted = posted[2];
    await target.http.delete(`/messages/${deleted.id}`).set(bearer(ada.accessToken)).expect(204);

    const run = await copyFromSource();

    expect(run).toEqual({ code: 0, out: [summary(1, 0, 4, 1)], err: [] });
    const expected = (await board(source)).filter(
      ({ id, userId }) => id !== deleted.id && userId !== carol.id,
    );
    expect(expected.map(({ id }) => id)).toContain(meanwhile.id);
    expect(await board(target)).toEqual(expected);

    expect(await copyFromSource()).toEqual({ code: 0, out: [summary(0, 0, 5, 1)], err: [] });
    expect(await board(target)).toEqual(expected);
  });

  it('copies to a single Redis just as well', async () => {
    const server = await startRedisServer();
    try {
      const onServer = { REDIS_CLUSTER_NODES: '', REDIS_URL: server.url, REDIS_KEY_PREFIX: prefix };

      const run = await copyFromSource(onServer);

      const listed = await board(source);
      expect(run).toEqual({ code: 0, out: [summary(listed.length, 0, 0, 0)], err: [] });
      const app = await startTestApp(onServer);
      try {
        expect(await board(app)).toEqual(listed);
      } finally {
        await app.close();
      }
      // The target itself, by whatever name: refused.
      const itself = await copy(['--from', server.url.replace('127.0.0.1', 'localhost')], onServer);
      expect(itself.code).toBe(2);
      expect(itself.err.join('\n')).toContain('--from names the target itself');
    } finally {
      await server.stop();
    }
  });

  it('refuses bad usage with exit code 2, copying nothing', async () => {
    const clusterNode = `redis://${cluster.nodes[1]}`;
    const cases: [string[], string][] = [
      [[], '--from <redis-url> is required'],
      [['--from', 'http://127.0.0.1:6379'], '--from must be a redis:// or rediss:// URL'],
      [['--from', 'not a url'], '--from must be a redis:// or rediss:// URL'],
      [['--from', 'redis://127.0.0.1:6379/seven'], '--from names its db by a number'],
      [['--from', clusterNode], '--from names the target itself'],
    ];
    for (const [args, says] of cases) {
      const run = await copy(args);
      expect({ args, code: run.code, out: run.out }).toEqual({ args, code: 2, out: [] });
      expect(run.err.join('\n')).toContain(`redis-copy-messages failed: ${says}`);
    }
    // Nor, for a target on one server, is a cluster's node a single Redis to copy from.
    const elsewhere = await copy(['--from', clusterNode], onSource);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.err.join('\n')).toContain('--from names a node of a Redis Cluster');
    expect(await board(target)).toHaveLength(4);
  });

  it('names an unreachable source or target with exit code 1, and no stack trace', async () => {
    const port = await closedPort();
    const fast = { REDIS_CONNECT_TIMEOUT: '1s' };

    const noSource = await copy(['--from', `redis://user:secret@127.0.0.1:${port}/2`], {
      ...onCluster(),
      ...fast,
    });
    const noTarget = await copyFromSource({
      ...onCluster(),
      ...fast,
      REDIS_CLUSTER_NODES: `127.0.0.1:${port}`,
    });

    expect(noSource).toEqual({
      code: 1,
      out: [],
      err: [
        `redis-copy-messages failed: cannot reach the source Redis (redis://127.0.0.1:${port}/2): connect ECONNREFUSED 127.0.0.1:${port}`,
      ],
    });
    expect(noTarget.code).toBe(1);
    expect(noTarget.out).toEqual([]);
    expect(noTarget.err).toHaveLength(1);
    expect(noTarget.err[0]).toMatch(
      new RegExp(
        `^redis-copy-messages failed: cannot reach the target Redis \\(REDIS_CLUSTER_NODES 127\\.0\\.0\\.1:${port}\\): .+`,
      ),
    );
    expect(noTarget.err[0]).not.toMatch(/\n\s+at /);
  });
});
