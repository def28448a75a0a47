import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PruneService } from '../../src/auth';
import { AUDITED_EVENTS } from '../../src/common/audit';
import { UserRepository } from '../../src/users/domain/user.repository';
import {
  bearer,
  login,
  promoteToAdmin,
  registerAccount,
  type TestAccount,
  uniqueEmail,
} from './support/accounts';
import { expectError, expectValidationFailed } from './support/expectations';
import { ISO_UTC_MILLIS, LOWERCASE_UUID } from './support/formats';
import { linkToken, TestMailServer } from './support/mail-server';
import { useTestApp } from './support/test-app';
import { codeAfter, startMfaSetup, wrongCode } from './support/totp';

const USER_AGENT = 'audit-e2e/1.0';
const ADDRESS = '203.0.113.9';
const NEW_PASSWORD = 'a brand new passphrase';
const DAY_MS = 24 * 3600 * 1000;

/** An audit row as the table keeps it. */
interface AuditRow {
  readonly id: string;
  readonly event: string;
  readonly userId: string | null;
  readonly actorId: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
  readonly at: Date;
  readonly details: Record<string, unknown>;
}

const ROW_COLUMNS = `id, event, user_id AS "userId", actor_id AS "actorId", ip,
  user_agent AS "userAgent", request_id AS "requestId", at, details`;

/** The fields of a read's items, in the contract's words. */
const ITEM_FIELDS = ['actorId', 'at', 'event', 'id', 'ip', 'requestId', 'userAgent', 'userId'];

describe('The audit trail', () => {
  let mailServer: TestMailServer;
  beforeAll(async () => {
    mailServer = await TestMailServer.start();
  });
  afterAll(() => mailServer?.close());
  // The address comes through the trusted proxy; a rotated refresh token is reuse at once; the
  // prune deletes in small batches.
  const testApp = useTestApp(() => ({
    SMTP_URL: mailServer.url,
    TRUST_PROXY: '1',
    REFRESH_REUSE_INTERVAL: '0',
    PRUNE_BATCH_SIZE: '2',
  }));

  let database: DataSource;
  let admin: TestAccount;
  beforeAll(async () => {
    database = testApp.app.get(DataSource);
    const registered = await registerAccount(testApp);
    await promoteToAdmin(testApp, registered.email);
    admin = { ...registered, ...(await login(testApp, registered.email, registered.password)) };
  });

  let requestCount = 0;
  /** A request of its own `X-Request-Id`, from a known address and user agent. */
  function call(
    method: 'get' | 'post' | 'delete',
    path: string,
    { token, body }: { token?: string; body?: object } = {},
  ) {
    const requestId = `audit-e2e-${++requestCount}`;
    const request = testApp.http[method](path).set({
      'User-Agent': USER_AGENT,
      'X-Forwarded-For': ADDRESS,
      'X-Request-Id': requestId,
    });
    if (token) request.set(bearer(token));
    return { requestId, response: body === undefined ? request : request.send(body) };
  }

  /** Sends the request and returns the rows it wrote, oldest first. */
  async function rowsWrittenBy(sent: ReturnType<typeof call>, status: number): Promise<AuditRow[]> {
    const response = await sent.response;
    expect({ status: response.status, body: response.body }).toEqual({
      status,
      body: expect.anything(),
    });
    return database.query(
      `SELECT ${ROW_COLUMNS} FROM audit_events WHERE request_id = $1 ORDER BY at, id`,
      [sent.requestId],
    );
  }

  /** Exactly one row, `event`, with the fields every row of this request must have. */
  async function expectOneRow(
    sent: ReturnType<typeof call>,
    status: number,
    event: string,
    who: { userId: string | null; actorId?: string | null; details?: Record<string, unknown> },
  ): Promise<void> {
    expect(await rowsWrittenBy(sent, status)).toEqual([
      {
        id: expect.stringMatching(LOWERCASE_UUID),
        event,
        userId: who.userId,
        actorId: who.actorId === undefined ? who.userId : who.actorId,
        ip: ADDRESS,
        userAgent: USER_AGENT,
        requestId: sent.requestId,
        at: expect.any(Date),
        details: who.details ?? expect.any(Object),
      },
    ]);
  }

  async function rowsOf(userId: string): Promise<AuditRow[]> {
    return database.query(
      `SELECT ${ROW_COLUMNS} FROM audit_events WHERE user_id = $1 ORDER BY at, id`,
      [userId],
    );
  }

  /** No row of these users holds any of these secrets, whatever its column. */
  async function expectNoSecretIn(userIds: string[], secrets: string[]): Promise<void> {
    const rows = await database.query('SELECT * FROM audit_events WHERE user_id = ANY($1)', [
      userIds,
    ]);
    expect(rows.length).toBeGreaterThan(0);
    const text = JSON.stringify(rows);
    for (const secret of secrets) expect(text).not.toContain(secret);
  }

  describe('each event of the contract, written once with its fields, never with a secret', () => {
    it('registration and logins, the failed ones without an actor', async () => {
      const email = uniqueEmail('audit');
      const password = 'correct horse battery';
      const registration = call('post', '/auth/register', {
        body: { firstName: 'Ada', lastName: 'Lovelace', email, password },
      });
      const { user, accessToken, refreshToken } = (await registration.response).body as {
        user: { id: string };
        accessToken: string;
        refreshToken: string;
      };
      const userId = user.id;
      await expectOneRow(registration, 201, 'user.registered', { userId, details: {} });

      await expectOneRow(
        call('post', '/auth/login', { body: { email, password } }),
        200,
        'login.succeeded',
        {
          userId,
        },
      );
      await expectOneRow(
        call('post', '/auth/login', { body: { email, password: 'wrong horse battery' } }),
        401,
        'login.failed',
        { userId, actorId: null, details: { reason: 'invalid_credentials' } },
      );
      await expectOneRow(
        call('post', '/auth/login', { body: { email: uniqueEmail('nobody'), password } }),
        401,
        'login.failed',
        { userId: null, actorId: null, details: { reason: 'invalid_credentials' } },
      );
      await expectNoSecretIn(
        [userId],
        [password, 'wrong horse battery', accessToken, refreshToken],
      );
    });

    it('refresh, reuse, logout, logout of all sessions and the end of one session', async () => {
      const account = await registerAccount(testApp);
      const userId = account.id;
      const refresh = call('post', '/auth/refresh', {
        body: { refreshToken: account.refreshToken },
      });
      const refreshed = (await refresh.response).body as { accessToken: string };
      await expectOneRow(refresh, 200, 'token.refreshed', { userId });
      await expectOneRow(
        call('post', '/auth/refresh', { body: { refreshToken: account.refreshToken } }),
        403,
        'refresh.reused',
        { userId },
      );

      const second = await login(testApp, account.email, account.password);
      await expectOneRow(
        call('post', '/auth/logout', { token: second.accessToken }),
        200,
        'logout',
        {
          userId,
          details: { sessionId: expect.stringMatching(LOWERCASE_UUID) },
        },
      );

      const third = await login(testApp, account.email, account.password);
      const fourth = await login(testApp, account.email, account.password);
      const sessions = await testApp.http.get('/auth/sessions').set(bearer(third.accessToken));
      const other = (sessions.body.items as { id: string; current: boolean }[]).find(
        (session) => !session.current,
      );
      await expectOneRow(
        call('delete', `/auth/sessions/${other!.id}`, { token: third.accessToken }),
        204,
        'session.ended',
        { userId, details: { sessionId: other!.id } },
      );
      await expectOneRow(
        call('post', '/auth/logout-all', { token: third.accessToken }),
        200,
        'logout.all',
        {
          userId,
          details: { revokedSessions: expect.any(Number) },
        },
      );
      await expectNoSecretIn(
        [userId],
        [account.password, account.accessToken, account.refreshToken, refreshed.accessToken],
      );
      expect(fourth.accessToken).toBeDefined();
    });

    it('password change and reset, email verification and change', async () => {
      const account = await registerAccount(testApp);
      const userId = account.id;
      const verificationToken = linkToken(
        await mailServer.waitForMail(account.email),
        'verify-email',
      );
      await expectOneRow(
        call('post', '/auth/email/verify', { body: { token: verificationToken } }),
        200,
        'email.verified',
        { userId },
      );

      const change = call('post', '/users/me/password', {
        token: account.accessToken,
        body: { currentPassword: account.password, newPassword: NEW_PASSWORD },
      });
      const changed = (await change.response).body as { accessToken: string; refreshToken: string };
      await expectOneRow(change, 200, 'password.changed', { userId });

      // Asking for a mail is a log line only.
      expect(
        await rowsWrittenBy(
          call('post', '/auth/password/forgot', { body: { email: account.email } }),
          202,
        ),
      ).toEqual([]);
      const resetToken = linkToken(
        await mailServer.waitForMail(account.email, 2),
        'reset-password',
      );
      const resetPassword = 'yet another passphrase';
      await expectOneRow(
        call('post', '/auth/password/reset', {
          body: { token: resetToken, newPassword: resetPassword },
        }),
        200,
        'password.reset',
        { userId },
      );

      const { accessToken } = await login(testApp, account.email, resetPassword);
      const newEmail = uniqueEmail('moved');
      expect(
        await rowsWrittenBy(
          call('post', '/users/me/email', {
            token: accessToken,
            body: { newEmail, password: resetPassword },
          }),
          202,
        ),
      ).toEqual([]);
      const changeToken = linkToken(await mailServer.waitForMail(newEmail), 'confirm-email');
      await expectOneRow(
        call('post', '/auth/email/change/confirm', { body: { token: changeToken } }),
        200,
        'email.changed',
        { userId },
      );
      await expectNoSecretIn(
        [userId],
        [
          account.password,
          NEW_PASSWORD,
          resetPassword,
          verificationToken,
          resetToken,
          changeToken,
          changed.accessToken,
          changed.refreshToken,
        ],
      );
    });

    it('the second factor: enabled, a recovery code used, a wrong code, disabled, reset by an admin', async () => {
      const account = await registerAccount(testApp);
      const userId = account.id;
      const { secret } = await startMfaSetup(testApp, account);
      const first = await codeAfter(secret);
      const enable = call('post', '/auth/mfa/totp/enable', {
        token: account.accessToken,
        body: { code: first.code },
      });
      const { recoveryCodes } = (await enable.response).body as { recoveryCodes: string[] };
      await expectOneRow(enable, 200, 'mfa.enabled', {
        userId,
        details: { revokedSessions: 0 },
      });

      const challenge = async () =>
        (
          await testApp.http
            .post('/auth/login')
            .send({ email: account.email, password: account.password })
            .expect(200)
        ).body.mfaToken as string;
      await expectOneRow(
        call('post', '/auth/mfa/verify', {
          body: { mfaToken: await challenge(), code: await wrongCode(secret) },
        }),
        400,
        'login.failed',
        { userId, actorId: null, details: { reason: 'mfa_code_invalid' } },
      );
      const recovered = call('post', '/auth/mfa/verify', {
        body: { mfaToken: await challenge(), recoveryCode: recoveryCodes[0] },
      });
      const { accessToken } = (await recovered.response).body as { accessToken: string };
      // One transaction each, maybe within one millisecond: compared by name.
      const written = await rowsWrittenBy(recovered, 200);
      expect(written.map((row) => [row.event, row.actorId]).sort()).toEqual([
        ['login.succeeded', userId],
        ['mfa.recovery_code_used', userId],
      ]);
      expect(written.find((row) => row.event === 'login.succeeded')?.details).toEqual({
        secondFactor: true,
      });

      const second = await codeAfter(secret, first.time);
      await expectOneRow(
        call('post', '/auth/mfa/totp/disable', {
          token: accessToken,
          body: { password: account.password, code: second.code },
        }),
        200,
        'mfa.disabled',
        { userId },
      );

      const again = await startMfaSetup(testApp, { ...account, accessToken });
      await testApp.http
        .post('/auth/mfa/totp/enable')
        .set(bearer(accessToken))
        .send({ code: (await codeAfter(again.secret)).code })
        .expect(200);
      await expectOneRow(
        call('post', `/users/${userId}/mfa/reset`, { token: admin.accessToken }),
        200,
        'mfa.reset',
        { userId, actorId: admin.id },
      );
      await expectNoSecretIn(
        [userId],
        [secret, again.secret, first.code, second.code, ...recoveryCodes, account.password],
      );
    });

    it('an admin’s disable and enable, and a deletion the rows outlive', async () => {
      const account = await registerAccount(testApp);
      const userId = account.id;
      await expectOneRow(
        call('post', `/users/${userId}/disable`, { token: admin.accessToken }),
        200,
        'user.disabled',
        { userId, actorId: admin.id },
      );
      // Nothing changed, nothing written.
      expect(
        await rowsWrittenBy(
          call('post', `/users/${userId}/disable`, { token: admin.accessToken }),
          200,
        ),
      ).toEqual([]);
      await expectOneRow(
        call('post', `/users/${userId.toUpperCase()}/enable`, { token: admin.accessToken }),
        200,
        'user.enabled',
        { userId, actorId: admin.id },
      );
      const { accessToken } = await login(testApp, account.email, account.password);
      await expectOneRow(
        call('delete', '/users/me', { token: accessToken, body: { password: account.password } }),
        204,
        'user.deleted',
        { userId },
      );
      expect((await rowsOf(userId)).map((row) => row.event)).toEqual([
        'user.registered',
        'user.disabled',
        'user.enabled',
        'login.succeeded',
        'user.deleted',
      ]);
    });

    it('writes no row for an event the contract does not list', async () => {
      const events = (await database.query('SELECT DISTINCT event FROM audit_events')) as {
        event: string;
      }[];
      expect(AUDITED_EVENTS).toEqual(expect.arrayContaining(events.map((row) => row.event)));
    });
  });

  describe('a change that fails writes no row', () => {
    it('a password change whose transaction fails leaves neither the password nor a row', async () => {
      const account = await registerAccount(testApp);
      const users = testApp.app.get(UserRepository);
      // The row is written, then the user's update fails: the transaction takes both back.
      jest.spyOn(users, 'update').mockRejectedValueOnce(new Error('the disk is full'));
      const change = call('post', '/users/me/password', {
        token: account.accessToken,
        body: { currentPassword: account.password, newPassword: NEW_PASSWORD },
      });
      expect(await rowsWrittenBy(change, 500)).toEqual([]);
      expect((await rowsOf(account.id)).map((row) => row.event)).toEqual(['user.registered']);
      await login(testApp, account.email, account.password);
    });

    it('the disable of an unknown user is 404 and writes nothing', async () => {
      const unknown = randomUUID();
      expectError(
        await call('post', `/users/${unknown}/disable`, { token: admin.accessToken }).response,
        404,
        'USER_NOT_FOUND',
      );
      expect(await rowsOf(unknown)).toEqual([]);
    });
  });

  describe('reads', () => {
    /** An account with five rows: registration, three failed logins, one login. */
    async function accountWithEvents(): Promise<TestAccount> {
      const account = await registerAccount(testApp);
      for (let i = 0; i < 3; i++) {
        await testApp.http
          .post('/auth/login')
          .send({ email: account.email, password: 'wrong horse battery' })
          .expect(401);
      }
      return { ...account, ...(await login(testApp, account.email, account.password)) };
    }

    async function pages(path: string, token: string): Promise<{ id: string; event: string }[][]> {
      const all: { id: string; event: string }[][] = [];
      let cursor: string | null = null;
      do {
        const separator = path.includes('?') ? '&' : '?';
        const query: string = cursor ? `${separator}cursor=${cursor}` : '';
        const response = await testApp.http.get(`${path}${query}`).set(bearer(token)).expect(200);
        expect(Object.keys(response.body).sort()).toEqual(['items', 'nextCursor']);
        for (const item of response.body.items) {
          expect(Object.keys(item).sort()).toEqual(ITEM_FIELDS);
          expect(item.at).toMatch(ISO_UTC_MILLIS);
        }
        all.push(response.body.items);
        cursor = response.body.nextCursor;
      } while (cursor);
      return all;
    }

    it('gives the user its own events, newest first, a page at a time', async () => {
      const account = await accountWithEvents();
      await accountWithEvents(); // someone else's
      const read = await pages('/users/me/security-events?limit=2', account.accessToken);
      expect(read.map((page) => page.length)).toEqual([2, 2, 1]);
      const events = read.flat();
      expect(events.map((item) => item.event)).toEqual([
        'login.succeeded',
        'login.failed',
        'login.failed',
        'login.failed',
        'user.registered',
      ]);
      expect(new Set(events.map((item) => item.id)).size).toBe(5);
      const stored = await rowsOf(account.id);
      expect(events.map((item) => item.id)).toEqual(stored.map((row) => row.id).reverse());
      expect(events[0]).toEqual({
        id: stored[4].id,
        event: 'login.succeeded',
        userId: account.id,
        actorId: account.id,
        ip: stored[4].ip,
        userAgent: stored[4].userAgent,
        requestId: stored[4].requestId,
        at: stored[4].at.toISOString(),
      });
    });

    it('gives the admin any user’s events, by event too, newest first, a page at a time', async () => {
      const account = await accountWithEvents();
      const byUser = await pages(
        `/admin/audit-events?userId=${account.id.toUpperCase()}&limit=3`,
        admin.accessToken,
      );
      expect(byUser.map((page) => page.length)).toEqual([3, 2]);
      expect(byUser.flat().map((item) => item.id)).toEqual(
        (await rowsOf(account.id)).map((row) => row.id).reverse(),
      );

      const failed = await pages(
        `/admin/audit-events?userId=${account.id}&event=login.failed&limit=2`,
        admin.accessToken,
      );
      expect(failed.flat().map((item) => item.event)).toEqual([
        'login.failed',
        'login.failed',
        'login.failed',
      ]);

      const newest = await testApp.http
        .get('/admin/audit-events?event=login.succeeded&limit=1')
        .set(bearer(admin.accessToken))
        .expect(200);
      expect(newest.body.items).toEqual([
        expect.objectContaining({ event: 'login.succeeded', userId: account.id }),
      ]);
      expect(newest.body.nextCursor).toEqual(expect.any(String));

      const everything = await testApp.http
        .get('/admin/audit-events')
        .set(bearer(admin.accessToken))
        .expect(200);
      const times = (everything.body.items as { at: string }[]).map((item) => item.at);
      expect(times).toEqual([...times].sort().reverse());
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['limit=1.5', 'limit'],
      ['limit=', 'limit'],
      ['cursor=not-a-cursor', 'cursor'],
      ['userId=not-a-uuid', 'userId'],
      ['event=session.opened', 'event'],
      ['event=login.failed&event=logout', 'event'],
      ['unknown=1', 'unknown'],
    ])('answers the admin’s ?%s with 400 VALIDATION_FAILED', async (query, field) => {
      const response = await testApp.http
        .get(`/admin/audit-events?${query}`)
        .set(bearer(admin.accessToken));
      expectValidationFailed(response, field);
    });

    it('answers a user’s bad limit or cursor with 400, and reads nothing of another user', async () => {
      const account = await registerAccount(testApp);
      for (const query of ['limit=0', 'cursor=not-a-cursor', `userId=${admin.id}`]) {
        expectError(
          await testApp.http
            .get(`/users/me/security-events?${query}`)
            .set(bearer(account.accessToken)),
          400,
          'VALIDATION_FAILED',
        );
      }
    });

    it('is the admin’s only: a user gets 403, no token 401', async () => {
      const account = await registerAccount(testApp);
      expectError(
        await testApp.http.get('/admin/audit-events').set(bearer(account.accessToken)),
        403,
        'FORBIDDEN',
        'Admin role required.',
      );
      expectError(await testApp.http.get('/admin/audit-events'), 401, 'AUTH_REQUIRED');
      expectError(await testApp.http.get('/users/me/security-events'), 401, 'AUTH_REQUIRED');
    });
  });

  describe('retention', () => {
    it('prunes the rows older than AUDIT_RETENTION, in batches, and keeps the rest', async () => {
      const userId = randomUUID();
      const now = Date.now();
      const retention = testApp.config.prune.auditRetentionSeconds * 1000;
      const ages = [
        retention + DAY_MS,
        retention + 2 * DAY_MS,
        retention + 60_000,
        retention - 60_000,
        0,
      ];
      for (const age of ages) {
        await database.query(
          `INSERT INTO audit_events (id, event, user_id, actor_id, at)
           VALUES ($1, 'login.succeeded', $2, $2, $3)`,
          [randomUUID(), userId, new Date(now - age)],
        );
      }
      const outcome = await testApp.app.get(PruneService).pruneExpired();
      expect(outcome).toEqual(expect.objectContaining({ ran: true }));
      expect(outcome.ran && outcome.auditEventsDeleted).toBeGreaterThanOrEqual(3);
      const kept = await rowsOf(userId);
      expect(kept.map((row) => now - row.at.getTime())).toEqual([retention - 60_000, 0]);
    });
  });
});
