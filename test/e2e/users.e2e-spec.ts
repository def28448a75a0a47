import { randomUUID } from 'node:crypto';
import * as jwt from 'jsonwebtoken';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import {
  bearer,
  login,
  promoteToAdmin,
  registerAccount,
  type TestAccount,
  uniqueEmail,
} from './support/accounts';
import { expectError, expectValidationFailed } from './support/expectations';
import { ISO_UTC_MICROS } from './support/formats';
import { until } from './support/polling';
import { type RedisRelay, startRedisRelay } from './support/redis-relay';
import { useTestApp } from './support/test-app';
import { TEST_REDIS_KEY_PREFIX, TEST_REDIS_URL } from './support/test-environment';
import { ADMIN_USER_FIELDS, USER_FIELDS } from './support/shapes';
import { redisKeys } from '../../src/common/redis';

function expectIsoUtc(value: unknown): void {
  expect(value).toEqual(expect.stringMatching(ISO_UTC_MICROS));
  expect(new Date(value as string).toISOString()).toBe(
    (value as string).replace(/(\.\d{3})\d*Z$/, '$1Z'),
  );
}

function cursorOf(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('Users /users', () => {
  const testApp = useTestApp();
  let admin: TestAccount;
  let adminToken: string;

  const me = (token: string) => testApp.http.get('/users/me').set(bearer(token));
  const patchMe = (token: string, body: unknown) =>
    testApp.http
      .patch('/users/me')
      .set(bearer(token))
      .send(body as object);
  const changePassword = (token: string, body: unknown) =>
    testApp.http
      .post('/users/me/password')
      .set(bearer(token))
      .send(body as object);
  const deleteMe = (token: string, body: unknown) =>
    testApp.http
      .delete('/users/me')
      .set(bearer(token))
      .send(body as object);
  const refresh = (refreshToken: string) =>
    testApp.http.post('/auth/refresh').send({ refreshToken });
  const tryLogin = (email: string, password: string) =>
    testApp.http.post('/auth/login').send({ email, password });

  async function expectRevoked(...tokens: string[]): Promise<void> {
    for (const token of tokens) {
      expectError(await me(token), 401, 'TOKEN_REVOKED', 'Token blacklisted. Please log in again.');
    }
  }

  async function expectRefreshInvalid(...refreshTokens: string[]): Promise<void> {
    for (const token of refreshTokens) {
      expectError(await refresh(token), 403, 'REFRESH_INVALID');
    }
  }

  beforeAll(async () => {
    admin = await registerAccount(testApp, { email: uniqueEmail('admin') });
    await promoteToAdmin(testApp, admin.email);
    adminToken = (await login(testApp, admin.email, admin.password)).accessToken;
  });

  describe('GET /users/me', () => {
    it('answers exactly id, email, firstName, lastName, role and createdAt in UTC', async () => {
      const before = Date.now();
      const account = await registerAccount(testApp, { firstName: 'Grace', lastName: 'Hopper' });
      const response = await me(account.accessToken).expect(200);
      expect(Object.keys(response.body).sort()).toEqual(USER_FIELDS);
      expect(response.body).toEqual({
        id: account.id,
        email: account.email,
        firstName: 'Grace',
        lastName: 'Hopper',
        role: 'user',
        emailVerifiedAt: null,
        mfaEnabled: false,
        createdAt: expect.any(String),
      });
      expectIsoUtc(response.body.createdAt);
      const createdAt = new Date(response.body.createdAt).getTime();
      expect(createdAt).toBeGreaterThanOrEqual(before - 1000);
      expect(createdAt).toBeLessThanOrEqual(Date.now() + 1000);
      expect(JSON.stringify(response.body)).not.toMatch(/password|hash/i);
    });

    it('needs a token', async () => {
      expectError(await testApp.http.get('/users/me'), 401, 'AUTH_REQUIRED');
    });

    it('answers from the account the access check read, which a change replaces before it answers', async () => {
      const account = await registerAccount(testApp, { firstName: 'Grace', lastName: 'Hopper' });
      await me(account.accessToken).expect(200);
      // Behind the service's back: the cached copy still answers, so the route read no row.
      await testApp.app
        .get(DataSource)
        .query(`UPDATE users SET first_name = 'Edited' WHERE id = $1`, [account.id]);
      await until(async () => {
        const cached = (await me(account.accessToken).expect(200)).body;
        return cached.firstName === 'Grace';
      }, 2000);

      // A change through the service reads the row under its lock and writes its copy first.
      const patched = await patchMe(account.accessToken, { lastName: 'Byron' }).expect(200);
      expect(patched.body).toMatchObject({ firstName: 'Edited', lastName: 'Byron' });
      expect((await me(account.accessToken).expect(200)).body).toEqual(patched.body);
    });
  });

  describe('PATCH /users/me', () => {
    let account: TestAccount;

    beforeAll(async () => {
      account = await registerAccount(testApp, { firstName: 'Ada', lastName: 'Lovelace' });
    });

    async function expectNames(firstName: string, lastName: string): Promise<void> {
      const response = await me(account.accessToken).expect(200);
      expect(response.body).toMatchObject({ firstName, lastName });
    }

    it('answers 200 and changes nothing for {}', async () => {
      const before = (await me(account.accessToken).expect(200)).body;
      const response = await patchMe(account.accessToken, {}).expect(200);
      expect(response.body).toEqual(before);
      expect((await me(account.accessToken).expect(200)).body).toEqual(before);
    });

    it('trims the names and answers the user', async () => {
      const response = await patchMe(account.accessToken, {
        firstName: '  Grace  ',
        lastName: ' Hopper ',
      }).expect(200);
      expect(Object.keys(response.body).sort()).toEqual(USER_FIELDS);
      expect(response.body).toMatchObject({
        id: account.id,
        email: account.email,
        firstName: 'Grace',
        lastName: 'Hopper',
        role: 'user',
      });
      await expectNames('Grace', 'Hopper');
    });

    it('changes only the field given', async () => {
      await patchMe(account.accessToken, { firstName: 'Ada' }).expect(200);
      await expectNames('Ada', 'Hopper');
      await patchMe(account.accessToken, { lastName: 'Lovelace' }).expect(200);
      await expectNames('Ada', 'Lovelace');
    });

    it('accepts names of exactly 100 characters, counted in code points', async () => {
      const long = 'x'.repeat(100);
      const emoji = '😀'.repeat(100);
      await patchMe(account.accessToken, { firstName: long, lastName: emoji }).expect(200);
      await expectNames(long, emoji);
      await patchMe(account.accessToken, { firstName: 'Ada', lastName: 'Lovelace' }).expect(200);
    });

    it.each([
      ['null firstName', { firstName: null }],
      ['null lastName', { lastName: null }],
      ['empty firstName', { firstName: '' }],
      ['blank lastName', { lastName: '   ' }],
      ['101-character firstName', { firstName: 'x'.repeat(101) }],
      ['101-character lastName', { lastName: 'y'.repeat(101) }],
      ['a bell character', { firstName: 'Ada\u0007' }],
      ['a newline', { lastName: 'Love\nlace' }],
      ['a NUL byte', { firstName: 'A\u0000da' }],
      ['a DEL character', { lastName: 'Love\u007flace' }],
      ['a number', { firstName: 42 }],
      ['an array', { lastName: ['Lovelace'] }],
      ['an unknown field', { nickname: 'Countess' }],
      ['a role', { role: 'admin' }],
      ['an email', { email: uniqueEmail() }],
      ['a __proto__ key', JSON.parse('{"__proto__": {"role": "admin"}}')],
    ])('answers 400 VALIDATION_FAILED for %s', async (_label, body) => {
      expectError(await patchMe(account.accessToken, body), 400, 'VALIDATION_FAILED');
      await expectNames('Ada', 'Lovelace');
    });

    it('names the offending field in the details', async () => {
      expectValidationFailed(await patchMe(account.accessToken, { firstName: null }), 'firstName');
    });

    it('changes nothing when one field of a PATCH is rejected', async () => {
      expectError(
        await patchMe(account.accessToken, { firstName: 'Valid', lastName: '' }),
        400,
        'VALIDATION_FAILED',
      );
      expectError(
        await patchMe(account.accessToken, { firstName: 'Valid', role: 'admin' }),
        400,
        'VALIDATION_FAILED',
      );
      expectError(
        await patchMe(account.accessToken, { firstName: 'Valid', lastName: null }),
        400,
        'VALIDATION_FAILED',
      );
      await expectNames('Ada', 'Lovelace');
      expect((await me(account.accessToken).expect(200)).body.role).toBe('user');
    });

    it('answers 400 for a body that is not an object', async () => {
      const response = await testApp.http
        .patch('/users/me')
        .set(bearer(account.accessToken))
        .set('Content-Type', 'application/json')
        .send('["Grace"]');
      expectError(response, 400, 'VALIDATION_FAILED');
      await expectNames('Ada', 'Lovelace');
    });
  });

  describe('POST /users/me/password', () => {
    const NEW_PASSWORD = 'a brand new passphrase';

    it('answers 400 WRONG_PASSWORD for a wrong current password and changes nothing', async () => {
      const account = await registerAccount(testApp);
      const response = await changePassword(account.accessToken, {
        currentPassword: 'not the password',
        newPassword: NEW_PASSWORD,
      });
      expectError(response, 400, 'WRONG_PASSWORD');
      await me(account.accessToken).expect(200);
      await refresh(account.refreshToken).expect(200);
      await tryLogin(account.email, account.password).expect(200);
      expectError(await tryLogin(account.email, NEW_PASSWORD), 401, 'INVALID_CREDENTIALS');
    });

    it.each([
      ['a 7-character new password', { newPassword: 'short77' }],
      ['a new password over 72 bytes', { newPassword: 'é'.repeat(37) }],
      ['a new password with a NUL byte', { newPassword: 'long enough\u0000password' }],
      ['a missing new password', {}],
      ['a non-string new password', { newPassword: 12345678 }],
      ['an unknown field', { newPassword: NEW_PASSWORD, extra: true }],
    ])('answers 400 VALIDATION_FAILED for %s and changes nothing', async (_label, extra) => {
      const account = await registerAccount(testApp);
      const response = await changePassword(account.accessToken, {
        currentPassword: account.password,
        ...extra,
      });
      expectError(response, 400, 'VALIDATION_FAILED');
      await me(account.accessToken).expect(200);
      await tryLogin(account.email, account.password).expect(200);
    });

    it('answers 400 VALIDATION_FAILED for a missing current password', async () => {
      const account = await registerAccount(testApp);
      expectError(
        await changePassword(account.accessToken, { newPassword: NEW_PASSWORD }),
        400,
        'VALIDATION_FAILED',
      );
      await me(account.accessToken).expect(200);
    });

    it('revokes every earlier session and token of the user at once, and the new pair works', async () => {
      const account = await registerAccount(testApp);
      const second = await login(testApp, account.email, account.password);
      const third = await login(testApp, account.email, account.password);
      // The second session's token was just used, so its state sits in the cache.
      await me(second.accessToken).expect(200);

      const response = await changePassword(account.accessToken, {
        currentPassword: account.password,
        newPassword: NEW_PASSWORD,
      }).expect(200);
      expect(response.body).toEqual({
        message: 'Password changed.',
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: testApp.config.jwt.accessTtlSeconds,
      });
      expect(response.headers['cache-control']).toBe('no-store');
      const fresh = response.body as { accessToken: string; refreshToken: string };

      await expectRevoked(account.accessToken, second.accessToken, third.accessToken);
      await expectRefreshInvalid(account.refreshToken, second.refreshToken, third.refreshToken);

      expect((await me(fresh.accessToken).expect(200)).body.id).toBe(account.id);
      const sessions = await testApp.http
        .get('/auth/sessions')
        .set(bearer(fresh.accessToken))
        .expect(200);
      expect(sessions.body.items).toHaveLength(1);
      expect(sessions.body.items[0].current).toBe(true);
      const rotated = await refresh(fresh.refreshToken).expect(200);
      await me(rotated.body.accessToken).expect(200);

      expectError(await tryLogin(account.email, account.password), 401, 'INVALID_CREDENTIALS');
      const relogin = await tryLogin(account.email, NEW_PASSWORD).expect(200);
      await me(relogin.body.accessToken).expect(200);
    });

    it('rejects an old token used just before the change right after it', async () => {
      const account = await registerAccount(testApp);
      await me(account.accessToken).expect(200);
      await changePassword(account.accessToken, {
        currentPassword: account.password,
        newPassword: NEW_PASSWORD,
      }).expect(200);
      await expectRevoked(account.accessToken);
      expectError(
        await changePassword(account.accessToken, {
          currentPassword: NEW_PASSWORD,
          newPassword: 'yet another passphrase',
        }),
        401,
        'TOKEN_REVOKED',
      );
    });
  });

  describe('DELETE /users/me', () => {
    it('answers 400 WRONG_PASSWORD for a wrong password and keeps the user', async () => {
      const account = await registerAccount(testApp);
      expectError(
        await deleteMe(account.accessToken, { password: 'not the password' }),
        400,
        'WRONG_PASSWORD',
      );
      await me(account.accessToken).expect(200);
      await tryLogin(account.email, account.password).expect(200);
      await testApp.http.get(`/users/${account.id}`).set(bearer(adminToken)).expect(200);
    });

    it('answers 400 VALIDATION_FAILED without a password', async () => {
      const account = await registerAccount(testApp);
      expectError(await deleteMe(account.accessToken, {}), 400, 'VALIDATION_FAILED');
      await me(account.accessToken).expect(200);
    });

    it('deletes the user: 204, its tokens revoked, its login gone, its email free again', async () => {
      const account = await registerAccount(testApp);
      const second = await login(testApp, account.email, account.password);
      await me(second.accessToken).expect(200);

      const response = await deleteMe(account.accessToken, { password: account.password });
      expect(response.status).toBe(204);
      expect(response.text).toBe('');

      await expectRevoked(account.accessToken, second.accessToken);
      await expectRefreshInvalid(account.refreshToken, second.refreshToken);
      expectError(
        await tryLogin(account.email, account.password),
        401,
        'INVALID_CREDENTIALS',
        'Invalid email or password.',
      );
      expectError(
        await testApp.http.get(`/users/${account.id}`).set(bearer(adminToken)),
        404,
        'USER_NOT_FOUND',
      );

      const again = await registerAccount(testApp, { email: account.email });
      expect(again.id).not.toBe(account.id);
      await me(again.accessToken).expect(200);
      await expectRevoked(account.accessToken);
    });
  });

  describe('admin routes', () => {
    let plain: TestAccount;

    beforeAll(async () => {
      plain = await registerAccount(testApp);
    });

    it('answers 403 FORBIDDEN "Admin role required." to a plain user', async () => {
      const requests = [
        testApp.http.get('/users'),
        testApp.http.get(`/users/${plain.id}`),
        testApp.http.get(`/users/${admin.id}`),
        testApp.http.post(`/users/${admin.id}/disable`),
        testApp.http.post(`/users/${plain.id}/enable`),
        testApp.http.post(`/users/${randomUUID()}/disable`),
      ];
      for (const request of requests) {
        expectError(
          await request.set(bearer(plain.accessToken)),
          403,
          'FORBIDDEN',
          'Admin role required.',
        );
      }
      // The admin was not disabled by the plain user's attempt.
      await me(adminToken).expect(200);
    });

    it('answers 401 without a token', async () => {
      expectError(await testApp.http.get('/users'), 401, 'AUTH_REQUIRED');
      expectError(await testApp.http.post(`/users/${plain.id}/disable`), 401, 'AUTH_REQUIRED');
    });

    it('never lets a user token act as admin, whatever it claims', async () => {
      const payload = jwt.decode(plain.accessToken) as jwt.JwtPayload;
      const forged = jwt.sign(
        { ...payload, role: 'admin', roles: ['admin'], admin: true },
        testApp.config.jwt.secret,
        { algorithm: 'HS256' },
      );
      expectError(
        await testApp.http.get('/users').set(bearer(forged)),
        403,
        'FORBIDDEN',
        'Admin role required.',
      );
      const unsigned = jwt.sign(
        { ...payload, role: 'admin' },
        'some-other-secret-of-enough-length',
        {
          algorithm: 'HS256',
        },
      );
      expectError(await testApp.http.get('/users').set(bearer(unsigned)), 401, 'TOKEN_INVALID');
      expectError(await patchMe(plain.accessToken, { role: 'admin' }), 400, 'VALIDATION_FAILED');
      expectError(
        await testApp.http.get('/users?role=admin').set(bearer(plain.accessToken)),
        403,
        'FORBIDDEN',
      );
      expect((await me(plain.accessToken).expect(200)).body.role).toBe('user');
    });

    it('treats a promoted user as admin at once, with its existing token and a fresh one', async () => {
      const account = await registerAccount(testApp);
      // Used before the promotion, so the user's state (role "user") is cached.
      expectError(
        await testApp.http.get('/users').set(bearer(account.accessToken)),
        403,
        'FORBIDDEN',
      );
      await promoteToAdmin(testApp, account.email);
      await testApp.http.get('/users?limit=1').set(bearer(account.accessToken)).expect(200);
      expect((await me(account.accessToken).expect(200)).body.role).toBe('admin');
      const fresh = await login(testApp, account.email, account.password);
      await testApp.http.get(`/users/${plain.id}`).set(bearer(fresh.accessToken)).expect(200);
    });

    describe('GET /users', () => {
      it('walks every user exactly once with limit=2, nextCursor null on the last page', async () => {
        const mine: TestAccount[] = [];
        for (let i = 0; i < 5; i += 1) mine.push(await registerAccount(testApp));

        const seen = new Map<string, number>();
        const items: Record<string, unknown>[] = [];
        let cursor: string | null | undefined;
        let pages = 0;
        do {
          const query: Record<string, string> = { limit: '2' };
          if (cursor) query.cursor = cursor;
          const response = await testApp.http
            .get('/users')
            .query(query)
            .set(bearer(adminToken))
            .expect(200);
          expect(Object.keys(response.body).sort()).toEqual(['items', 'nextCursor']);
          const page = response.body.items as Record<string, unknown>[];
          cursor = response.body.nextCursor as string | null;
          if (cursor === null) {
            expect(page.length).toBeLessThanOrEqual(2);
          } else {
            expect(typeof cursor).toBe('string');
            expect(page).toHaveLength(2);
          }
          for (const item of page) {
            seen.set(item.id as string, (seen.get(item.id as string) ?? 0) + 1);
            items.push(item);
          }
          pages += 1;
          expect(pages).toBeLessThan(10_000);
        } while (cursor !== null);

        const duplicates = [...seen].filter(([, count]) => count > 1).map(([id]) => id);
        expect(duplicates).toEqual([]);
        for (const account of mine) expect(seen.get(account.id)).toBe(1);
        expect(seen.get(admin.id)).toBe(1);

        for (const item of items) {
          expect(Object.keys(item).sort()).toEqual(ADMIN_USER_FIELDS);
          expectIsoUtc(item.createdAt);
          if (item.disabledAt !== null) expectIsoUtc(item.disabledAt);
        }
        const createdAt = items.map((item) => new Date(item.createdAt as string).getTime());
        expect(createdAt).toEqual([...createdAt].sort((a, b) => a - b));
        const first = items.find((item) => item.id === mine[0].id);
        expect(first).toEqual({
          id: mine[0].id,
          email: mine[0].email,
          firstName: 'Ada',
          lastName: 'Lovelace',
          role: 'user',
          emailVerifiedAt: null,
          mfaEnabled: false,
          createdAt: expect.any(String),
          disabledAt: null,
        });
      });

      it('walks rows whose created_at has sub-millisecond precision exactly once', async () => {
        // Rows written by SQL with the column's default, now(), carry microseconds.
        const dataSource = testApp.app.get(DataSource);
        const ids = [randomUUID(), randomUUID(), randomUUID()];
        const stamps = ['.000100', '.000200', '.250300'];
        try {
          for (const [index, id] of ids.entries()) {
            await dataSource.query(
              `INSERT INTO users (id, email, first_name, last_name, password_hash, created_at)
               VALUES ($1, $2, 'Old', 'Row', 'not-a-hash', $3)`,
              [id, uniqueEmail('old'), `1990-01-01 00:00:00${stamps[index]}+00`],
            );
          }
          const seen: string[] = [];
          let cursor: string | null = null;
          for (let page = 0; page < 6 && seen.length < 4; page += 1) {
            const query: Record<string, string> = { limit: '1' };
            if (cursor) query.cursor = cursor;
            const response = await testApp.http
              .get('/users')
              .query(query)
              .set(bearer(adminToken))
              .expect(200);
            seen.push(...(response.body.items as { id: string }[]).map((item) => item.id));
            cursor = response.body.nextCursor as string | null;
            if (cursor === null) break;
          }
          // Timestamps are kept to the millisecond: the first two rows tie and are ordered by id.
          expect(seen.slice(0, 3)).toEqual([...[ids[0], ids[1]].sort(), ids[2]]);
          expect(seen[3]).not.toBe(ids[2]);
        } finally {
          await dataSource.query('DELETE FROM users WHERE id = ANY($1)', [ids]);
        }
      });

      it('answers a page without parameters and with limit=500', async () => {
        const byDefault = await testApp.http.get('/users').set(bearer(adminToken)).expect(200);
        expect(byDefault.body.items.length).toBeGreaterThan(0);
        expect(byDefault.body.items.length).toBeLessThanOrEqual(100);
        const widest = await testApp.http
          .get('/users?limit=500')
          .set(bearer(adminToken))
          .expect(200);
        expect(widest.body.items.length).toBeLessThanOrEqual(500);
      });

      it.each(['0', '501', '1.5', 'abc', '', '-1'])(
        'answers 400 VALIDATION_FAILED for limit=%j',
        async (limit) => {
          const response = await testApp.http
            .get(`/users?limit=${encodeURIComponent(limit)}`)
            .set(bearer(adminToken));
          expectError(response, 400, 'VALIDATION_FAILED');
        },
      );

      it.each([
        ['garbage', 'not-a-cursor'],
        ['base64 of non-JSON', Buffer.from('hello').toString('base64url')],
        ['an object', cursorOf({ createdAt: '2024-01-01T00:00:00.000Z', id: randomUUID() })],
        ['a bad date', cursorOf(['yesterday', randomUUID()])],
        ['a non-uuid id', cursorOf(['2024-01-01T00:00:00.000Z', 'nope'])],
        ['a 36-hex-digit id', cursorOf(['2024-01-01T00:00:00.000Z', 'a'.repeat(36)])],
        [
          'a date outside PostgreSQL range',
          cursorOf(['-271821-04-20T00:00:00.000Z', randomUUID()]),
        ],
        ['an over-long cursor', 'a'.repeat(600)],
      ])('answers 400 VALIDATION_FAILED for a cursor that is %s', async (_label, cursor) => {
        const response = await testApp.http
          .get('/users')
          .query({ limit: '2', cursor })
          .set(bearer(adminToken));
        expectError(response, 400, 'VALIDATION_FAILED');
      });
    });

    describe('GET /users/:id', () => {
      it('answers the user with disabledAt null', async () => {
        const response = await testApp.http
          .get(`/users/${plain.id}`)
          .set(bearer(adminToken))
          .expect(200);
        expect(Object.keys(response.body).sort()).toEqual(ADMIN_USER_FIELDS);
        expect(response.body).toEqual({
          id: plain.id,
          email: plain.email,
          firstName: 'Ada',
          lastName: 'Lovelace',
          role: 'user',
          emailVerifiedAt: null,
          mfaEnabled: false,
          createdAt: expect.stringMatching(ISO_UTC_MICROS),
          disabledAt: null,
        });
      });

      it.each([
        ['an unknown uuid', randomUUID()],
        ['a malformed id', 'not-a-uuid'],
        ['a number', '12345'],
        ['a uuid with extra characters', `${randomUUID()}x`],
      ])('answers 404 USER_NOT_FOUND for %s', async (_label, id) => {
        const response = await testApp.http
          .get(`/users/${encodeURIComponent(id)}`)
          .set(bearer(adminToken));
        expectError(response, 404, 'USER_NOT_FOUND');
      });
    });

    describe('disable and enable', () => {
      it('disables a user: all its tokens revoked at once, login 403; enable lets it log in again', async () => {
        const target = await registerAccount(testApp);
        const second = await login(testApp, target.email, target.password);
        // Both tokens used just before, so their state is cached.
        await me(target.accessToken).expect(200);
        await me(second.accessToken).expect(200);

        const before = Date.now();
        const disabled = await testApp.http
          .post(`/users/${target.id}/disable`)
          .set(bearer(adminToken))
          .expect(200);
        expect(Object.keys(disabled.body).sort()).toEqual(ADMIN_USER_FIELDS);
        expect(disabled.body).toMatchObject({ id: target.id, email: target.email, role: 'user' });
        expectIsoUtc(disabled.body.disabledAt);
        const disabledAt = new Date(disabled.body.disabledAt).getTime();
        expect(disabledAt).toBeGreaterThanOrEqual(before - 1000);
        expect(disabledAt).toBeLessThanOrEqual(Date.now() + 1000);

        await expectRevoked(target.accessToken, second.accessToken);
        await expectRefreshInvalid(target.refreshToken, second.refreshToken);
        expectError(await tryLogin(target.email, target.password), 403, 'USER_DISABLED');
        expectError(await tryLogin(target.email, 'not the password'), 401, 'INVALID_CREDENTIALS');
        const shown = await testApp.http
          .get(`/users/${target.id}`)
          .set(bearer(adminToken))
          .expect(200);
        expect(shown.body.disabledAt).toBe(disabled.body.disabledAt);

        const enabled = await testApp.http
          .post(`/users/${target.id}/enable`)
          .set(bearer(adminToken))
          .expect(200);
        expect(Object.keys(enabled.body).sort()).toEqual(ADMIN_USER_FIELDS);
        expect(enabled.body).toMatchObject({ id: target.id, disabledAt: null });

        const again = await tryLogin(target.email, target.password).expect(200);
        await me(again.body.accessToken).expect(200);
        await expectRevoked(target.accessToken, second.accessToken);
        await expectRefreshInvalid(target.refreshToken, second.refreshToken);
        expect(
          (await testApp.http.get(`/users/${target.id}`).set(bearer(adminToken)).expect(200)).body
            .disabledAt,
        ).toBeNull();
      });

      it('disables and enables a user named by its id in upper case, with the same effects at once', async () => {
        const target = await registerAccount(testApp);
        await me(target.accessToken).expect(200);
        const upper = target.id.toUpperCase();

        const shown = await testApp.http.get(`/users/${upper}`).set(bearer(adminToken)).expect(200);
        expect(shown.body.id).toBe(target.id);
        const disabled = await testApp.http
          .post(`/users/${upper}/disable`)
          .set(bearer(adminToken))
          .expect(200);
        expect(disabled.body).toMatchObject({ id: target.id, disabledAt: expect.any(String) });
        await expectRevoked(target.accessToken);
        await expectRefreshInvalid(target.refreshToken);
        expectError(await tryLogin(target.email, target.password), 403, 'USER_DISABLED');
        // The cache entries are named by the stored id, never by the spelling of the path.
        const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
        await redis.connect();
        try {
          expect(await redis.keys(`${TEST_REDIS_KEY_PREFIX}*${upper}*`)).toEqual([]);
          // `<revision>|<account as JSON>`, the account disabled.
          const cached = await redis.get(TEST_REDIS_KEY_PREFIX + redisKeys.authAccount(target.id));
          expect(cached).toMatch(/^\d+\|\{/);
          expect(JSON.parse(cached!.slice(cached!.indexOf('|') + 1))).toMatchObject({
            id: target.id,
            disabledAt: expect.any(Number),
          });
        } finally {
          await redis.quit();
        }

        await testApp.http.post(`/users/${upper}/enable`).set(bearer(adminToken)).expect(200);
        const again = await tryLogin(target.email, target.password).expect(200);
        await me(again.body.accessToken).expect(200);
        await expectRevoked(target.accessToken);
      });

      it('revokes the tokens of a disabled admin too, and its admin access', async () => {
        const other = await registerAccount(testApp);
        await promoteToAdmin(testApp, other.email);
        await testApp.http.get('/users?limit=1').set(bearer(other.accessToken)).expect(200);
        await testApp.http.post(`/users/${other.id}/disable`).set(bearer(adminToken)).expect(200);
        expectError(
          await testApp.http.get('/users?limit=1').set(bearer(other.accessToken)),
          401,
          'TOKEN_REVOKED',
        );
      });

      it.each(['disable', 'enable'])(
        'answers 404 USER_NOT_FOUND to %s of an unknown or malformed id',
        async (action) => {
          for (const id of [randomUUID(), 'not-a-uuid']) {
            const response = await testApp.http
              .post(`/users/${id}/${action}`)
              .set(bearer(adminToken));
            expectError(response, 404, 'USER_NOT_FOUND');
          }
        },
      );
    });
  });
});

describe('DELETE /users/me when Redis fails', () => {
  // The relay starts before the app, which reaches Redis through it, and closes after it.
  let relay: RedisRelay;
  beforeAll(async () => {
    relay = await startRedisRelay();
  });
  const testApp = useTestApp(() => ({
    REDIS_URL: relay.url,
    REDIS_KEY_PREFIX: `tm-test-users-relay-${randomUUID()}:`,
  }));
  afterAll(() => relay.close());

  const me = (token: string) => testApp.http.get('/users/me').set(bearer(token));
  const deleteMe = (account: TestAccount) =>
    testApp.http
      .delete('/users/me')
      .set(bearer(account.accessToken))
      .send({ password: account.password });

  const post = (account: TestAccount, message: string) =>
    testApp.http.post('/messages').set(bearer(account.accessToken)).send({ message });

  it('answers 503 and keeps the account, its tokens and its posting; a retry deletes it all', async () => {
    const account = await registerAccount(testApp);
    await post(account, 'Posted before the failed deletion').expect(201);

    // Redis goes away at the command that removes the author's messages.
    relay.cutWhenSent(redisKeys.messagesByAuthor(account.id));
    try {
      expectError(await deleteMe(account), 503, 'SERVICE_UNAVAILABLE');
    } finally {
      relay.cutWhenSent(undefined);
    }
    await until(async () => (await testApp.http.get('/health')).status === 200, 10_000);

    await me(account.accessToken).expect(200);
    await login(testApp, account.email, account.password);
    // ioredis may resend the cut command once Redis is back, and the removal then runs after
    // all: the messages go and the author's tombstone stays, but the account is alive, so its
    // posts are let through again.
    const posted = await post(account, 'Posted after the failed deletion').expect(201);
    await testApp.http.get(`/messages/${posted.body.id}`).expect(200);

    await deleteMe(account).expect(204);
    expectError(await me(account.accessToken), 401, 'TOKEN_REVOKED');
    expectError(await testApp.http.get(`/messages/${posted.body.id}`), 404, 'MESSAGE_NOT_FOUND');
  });
});
