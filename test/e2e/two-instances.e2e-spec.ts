import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PruneService } from '../../src/auth';
import { bearer, login, promoteToAdmin, registerAccount } from './support/accounts';
import { expectError } from './support/expectations';
import { type AppUnderTest, useTestApp } from './support/test-app';

/** Two instances of the service side by side: one PostgreSQL, one Redis, shared key prefix. */
describe('two instances', () => {
  const shared = {
    REDIS_KEY_PREFIX: `tm-test-pair-${randomUUID()}:`,
    LOGIN_MAX_FAILURES: '3',
    PRUNE_BATCH_SIZE: '1000',
  };
  const first = useTestApp(shared);
  const second = useTestApp(shared);

  const me = (app: AppUnderTest, token: string) => app.http.get('/users/me').set(bearer(token));

  it('enforces a logout on one instance at once on the other, even with a warm cache', async () => {
    const account = await registerAccount(first);
    expect((await me(second, account.accessToken)).status).toBe(200);
    await first.http.post('/auth/logout').set(bearer(account.accessToken)).expect(200);
    expectError(await me(second, account.accessToken), 401, 'TOKEN_REVOKED');
  });

  it('enforces a password change on one instance at once on the other', async () => {
    const account = await registerAccount(first);
    const other = await login(first, account.email, account.password);
    expect((await me(first, other.accessToken)).status).toBe(200);
    await second.http
      .post('/users/me/password')
      .set(bearer(account.accessToken))
      .send({ currentPassword: account.password, newPassword: 'another good password' })
      .expect(200);
    expectError(await me(first, other.accessToken), 401, 'TOKEN_REVOKED');
    expectError(await me(first, account.accessToken), 401, 'TOKEN_REVOKED');
  });

  it('enforces a disable and a session end made on the other instance', async () => {
    const admin = await registerAccount(first);
    await promoteToAdmin(first, admin.email);
    const target = await registerAccount(first);
    const spare = await login(second, target.email, target.password);
    expect((await me(second, target.accessToken)).status).toBe(200);

    const sessions = await first.http
      .get('/auth/sessions')
      .set(bearer(target.accessToken))
      .expect(200);
    const spareSession = sessions.body.items.find((item: { current: boolean }) => !item.current);
    await first.http
      .delete(`/auth/sessions/${spareSession.id}`)
      .set(bearer(target.accessToken))
      .expect(204);
    expectError(await me(second, spare.accessToken), 401, 'TOKEN_REVOKED');

    await second.http
      .post(`/users/${target.id}/disable`)
      .set(bearer(admin.accessToken))
      .expect(200);
    expectError(await me(first, target.accessToken), 401, 'TOKEN_REVOKED');
  });

  it('shares the login throttle between instances', async () => {
    const account = await registerAccount(first);
    const attempt = (app: AppUnderTest, password: string) =>
      app.http.post('/auth/login').send({ email: account.email, password });
    expectError(await attempt(first, 'wrong one'), 401, 'INVALID_CREDENTIALS');
    expectError(await attempt(second, 'wrong two'), 401, 'INVALID_CREDENTIALS');
    expectError(await attempt(first, 'wrong three'), 401, 'INVALID_CREDENTIALS');
    expectError(await attempt(second, account.password), 429, 'TOO_MANY_REQUESTS');
  });

  it('runs the prune job on one instance at a time', async () => {
    const account = await registerAccount(first);
    const dataSource = first.app.get(DataSource);
    await dataSource.query(
      `INSERT INTO blacklist_tokens (jti, user_id, expires_at)
       SELECT gen_random_uuid(), $1, now() - interval '1 hour' FROM generate_series(1, 30000)`,
      [account.id],
    );
    const outcomes = await Promise.all([
      first.app.get(PruneService).pruneExpired(),
      second.app.get(PruneService).pruneExpired(),
    ]);
    expect(outcomes.filter((outcome) => outcome.ran)).toHaveLength(1);
    const [{ count }] = await dataSource.query(
      `SELECT count(*)::int AS count FROM blacklist_tokens WHERE expires_at < now()`,
    );
    expect(count).toBe(0);
  });
});
