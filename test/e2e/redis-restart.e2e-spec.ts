import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { bearer, registerAccount } from './support/accounts';
import { openEventStream } from './support/event-stream';
import { expectError } from './support/expectations';
import { until } from './support/polling';
import { type AppUnderTest, useTestApp } from './support/test-app';

/**
 * Redis restarts during use (it keeps nothing on disk, so it comes back empty). These tests stop
 * and start the machine's Redis with the commands CI uses, and always leave it running.
 */
const REDIS_START = [
  '--daemonize',
  'yes',
  '--bind',
  '127.0.0.1',
  '-::1',
  '--port',
  '6379',
  '--save',
  '',
  '--appendonly',
  'no',
  '--dir',
  '/var/lib/redis',
  '--logfile',
  '/var/log/redis/ci.log',
];

function redisAnswers(): boolean {
  try {
    return (
      execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'ping'], {
        encoding: 'utf8',
      }).trim() === 'PONG'
    );
  } catch {
    return false;
  }
}

function stopRedis(): void {
  execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'shutdown', 'nosave']);
}

async function startRedis(): Promise<void> {
  if (!redisAnswers()) execFileSync('redis-server', REDIS_START);
  await until(redisAnswers, 10_000);
}

describe('Redis restart during use', () => {
  // Redis is running again before the apps close.
  afterAll(() => startRedis());
  const shared = { REDIS_KEY_PREFIX: `tm-test-restart-${randomUUID()}:` };
  const testApp = useTestApp(shared);
  /** A second instance on the same stores, as in production behind a load balancer. */
  const other = useTestApp(shared);

  it('keeps revoked tokens rejected, answers 503 for what needs Redis, and recovers by itself', async () => {
    const loggedOut = await registerAccount(testApp);
    const active = await registerAccount(testApp);
    await testApp.http.post('/auth/logout').set(bearer(loggedOut.accessToken)).expect(200);
    const me = (token: string) => testApp.http.get('/users/me').set(bearer(token));
    const post = () =>
      testApp.http.post('/messages').set(bearer(active.accessToken)).send({ message: 'hello' });

    stopRedis();
    try {
      await until(() => !redisAnswers(), 5000);
      // PostgreSQL alone answers the revocation check.
      expectError(await me(loggedOut.accessToken), 401, 'TOKEN_REVOKED');
      expect((await me(active.accessToken)).status).toBe(200);
      // What lives in Redis is unavailable, never an internal error.
      expectError(await post(), 503, 'SERVICE_UNAVAILABLE');
      expectError(await testApp.http.get('/messages'), 503, 'SERVICE_UNAVAILABLE');
      expectError(
        await testApp.http
          .post('/auth/login')
          .send({ email: active.email, password: active.password }),
        503,
        'SERVICE_UNAVAILABLE',
      );
      expect((await testApp.http.get('/health')).status).toBe(503);
    } finally {
      await startRedis();
    }

    // Back with an empty Redis: the service reconnects by itself and the record still rules.
    await until(async () => (await testApp.http.get('/health')).status === 200, 10_000);
    expectError(await me(loggedOut.accessToken), 401, 'TOKEN_REVOKED');
    expect((await me(active.accessToken)).status).toBe(200);
    expect((await post()).status).toBe(201);
  });

  it('keeps two instances consistent across the restart, and live events flowing between them', async () => {
    const loggedOut = await registerAccount(testApp);
    const active = await registerAccount(testApp);
    await testApp.http.post('/auth/logout').set(bearer(loggedOut.accessToken)).expect(200);
    const me = (app: AppUnderTest, token: string) => app.http.get('/users/me').set(bearer(token));
    // The other instance's cache is warm with the revocation before Redis goes.
    expectError(await me(other, loggedOut.accessToken), 401, 'TOKEN_REVOKED');
    // A browser on the other instance keeps its stream open through the outage.
    const stream = await openEventStream(`${await other.listen()}/messages/stream`);

    stopRedis();
    try {
      await until(() => !redisAnswers(), 5000);
      for (const app of [testApp, other]) {
        expectError(await me(app, loggedOut.accessToken), 401, 'TOKEN_REVOKED');
        expect((await me(app, active.accessToken)).status).toBe(200);
      }
      // A revocation that cannot reach the shared cache is refused whole, not half done.
      expectError(
        await other.http.post('/auth/logout').set(bearer(active.accessToken)),
        503,
        'SERVICE_UNAVAILABLE',
      );
      // A stream resuming now cannot read the log: it ends with nothing sent (a resync would make
      // its client lose its place), so the client retries later with the same last event id.
      const resuming = await openEventStream(`${await other.listen()}/messages/stream`, {
        'Last-Event-ID': '1-1',
      });
      expect(resuming.status).toBe(200);
      await expect(resuming.ended).resolves.toBe(true);
      expect(resuming.events).toEqual([]);
    } finally {
      await startRedis();
    }

    for (const app of [testApp, other]) {
      await until(async () => (await app.http.get('/health')).status === 200, 10_000);
      expectError(await me(app, loggedOut.accessToken), 401, 'TOKEN_REVOKED');
      expect((await me(app, active.accessToken)).status).toBe(200);
    }
    // Events published while its subscriber was away are lost to it: it ends its streams, so
    // their clients reconnect and resume from what is still held.
    await stream.ended;
    const resumed = await openEventStream(`${await other.listen()}/messages/stream`);
    try {
      // The other instance's subscriber reconnected to the new Redis by itself.
      await until(async () => {
        const posted = await testApp.http
          .post('/messages')
          .set(bearer(active.accessToken))
          .send({ message: 'after the restart' });
        if (posted.status !== 201) return false;
        const id = (posted.body as { id: string }).id;
        return resumed
          .waitFor((event) => event.event === 'message.created' && event.data.includes(id), 500)
          .then(
            () => true,
            () => false,
          );
      }, 10_000);
    } finally {
      await resumed.close();
    }
  });
});
