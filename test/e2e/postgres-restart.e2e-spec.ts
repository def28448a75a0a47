import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { bearer, registerAccount } from './support/accounts';
import { expectError } from './support/expectations';
import { until } from './support/polling';
import { useTestApp } from './support/test-app';

/**
 * PostgreSQL stops and starts during use. These tests drive the machine's cluster with the
 * commands CI uses, and always leave it running.
 */
const cluster = () => readdirSync('/etc/postgresql')[0];
const pgctl = (action: 'start' | 'stop') =>
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', cluster(), 'main', action], {
    stdio: 'ignore',
  });

function postgresAnswers(): boolean {
  try {
    execFileSync('pg_isready', ['-h', '127.0.0.1', '-p', '5432'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function startPostgres(): Promise<void> {
  if (!postgresAnswers()) pgctl('start');
  await until(postgresAnswers, 30_000);
}

describe('PostgreSQL restart during use', () => {
  // PostgreSQL is running again before the app closes.
  afterAll(() => startPostgres());
  const testApp = useTestApp({
    REDIS_KEY_PREFIX: `tm-test-pg-restart-${randomUUID()}:`,
    DATABASE_CONNECT_TIMEOUT: '1s',
  });

  it('answers 503 within its timeout for what needs PostgreSQL, and recovers by itself', async () => {
    const account = await registerAccount(testApp);
    const timed = async <T>(send: () => Promise<T>) => {
      const started = Date.now();
      const response = await send();
      // DATABASE_CONNECT_TIMEOUT is 1 s: nothing may hang much past it.
      expect(Date.now() - started).toBeLessThan(3000);
      return response;
    };

    pgctl('stop');
    try {
      await until(() => !postgresAnswers(), 10_000);
      expectError(
        await timed(() => testApp.http.get('/users/me').set(bearer(account.accessToken))),
        503,
        'SERVICE_UNAVAILABLE',
      );
      expectError(
        await timed(() =>
          testApp.http
            .post('/auth/login')
            .send({ email: account.email, password: account.password }),
        ),
        503,
        'SERVICE_UNAVAILABLE',
      );
      expect((await timed(() => testApp.http.get('/health'))).status).toBe(503);
      // What lives in Redis only keeps working.
      expect((await timed(() => testApp.http.get('/messages'))).status).toBe(200);
    } finally {
      await startPostgres();
    }

    await until(async () => (await testApp.http.get('/health')).status === 200, 15_000);
    expect((await testApp.http.get('/users/me').set(bearer(account.accessToken))).status).toBe(200);
    expect(
      (
        await testApp.http
          .post('/auth/login')
          .send({ email: account.email, password: account.password })
      ).status,
    ).toBe(200);
  });
});
