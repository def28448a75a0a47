import { randomBytes, randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { runCli } from '../../src/cli';
import {
  bearer,
  login,
  promoteToAdmin,
  registerAccount,
  type TestAccount,
  uniqueEmail,
} from './support/accounts';
import { expectError, expectTooManyRequests, expectValidationFailed } from './support/expectations';
import { type LogLine, logLines, waitForLogLine } from './support/log-file';
import { sleep } from './support/polling';
import { callRpc, expectRpcError } from './support/rpc';
import { ADMIN_USER_FIELDS, USER_FIELDS } from './support/shapes';
import { type AppUnderTest, startTestApp, useTestApp } from './support/test-app';
import { TEST_MFA_ENCRYPTION_KEY, testConfig } from './support/test-environment';
import {
  codeAfter,
  enableMfa,
  type EnabledMfa,
  startMfaSetup,
  TOTP_PERIOD_SECONDS,
  wrongCode,
} from './support/totp';
import { type TestRedis, testRedisClient, testRedisKeys } from './support/test-redis';

const SIGNED_IN_KEYS = ['accessToken', 'expiresIn', 'message', 'refreshToken', 'tokenType', 'user'];
const SECOND_FACTOR_REQUIRED_KEYS = ['expiresIn', 'message', 'mfaRequired', 'mfaToken'];

const BASE32_SECRET = /^[A-Z2-7]{32}$/;
const RECOVERY_CODE = /^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{10}$/;
const MFA_TOKEN = /^[A-Za-z0-9_-]{43}$/;
const KEY_ID = /^[0-9a-f]{16}$/;
const SECRET_CIPHERTEXT = /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The errors of mfa-spec.md, and of a revoked token, with their status and exact message. */
const ERRORS = {
  MFA_CODE_INVALID: { status: 400, message: 'Invalid two-factor code.' },
  MFA_TOKEN_INVALID: { status: 401, message: 'Two-factor sign-in expired. Please log in again.' },
  MFA_ALREADY_ENABLED: { status: 409, message: 'Two-factor authentication is already enabled.' },
  MFA_SETUP_REQUIRED: { status: 409, message: 'Set up two-factor authentication first.' },
  MFA_NOT_ENABLED: { status: 409, message: 'Two-factor authentication is not enabled.' },
  WRONG_PASSWORD: { status: 400, message: 'Password is incorrect.' },
  TOKEN_REVOKED: { status: 401, message: 'Token blacklisted. Please log in again.' },
} as const;

function expectNamedError(response: Response, code: keyof typeof ERRORS): void {
  expectError(response, ERRORS[code].status, code, ERRORS[code].message);
}

/** The key a rotation moves the secrets to, from the tests' own (TEST_MFA_ENCRYPTION_KEY). */
const NEXT_ENCRYPTION_KEY = 'e2e-mfa-encryption-key-after-rotation';

/** A Redis prefix of its own, so the keys an mfaToken leaves can be told from other suites'. */
const REDIS_KEY_PREFIX = `tm-test-mfa-${randomUUID()}:`;
const LOGIN_MAX_FAILURES = 5;
const LOGIN_FAILURE_WINDOW_SECONDS = 60;
const MFA_TOKEN_LIFETIME_SECONDS = 300;

/** Formats a recovery code the way a person might type it back. */
const typedLoosely = (code: string) =>
  ` ${code.slice(0, 5).toLowerCase()}-${code.slice(5, 8)} ${code.slice(8).toLowerCase()} `;

describe('Second factor: TOTP', () => {
  const testApp = useTestApp(
    {
      LOGIN_MAX_FAILURES: String(LOGIN_MAX_FAILURES),
      LOGIN_FAILURE_WINDOW: `${LOGIN_FAILURE_WINDOW_SECONDS}s`,
      REDIS_KEY_PREFIX,
      LOG_LEVEL: 'info',
    },
    // One server, so that concurrent requests meet in one process as they would in production.
    { listen: true },
  );
  let database: DataSource;
  let redis: TestRedis;
  let admin: TestAccount;
  let adminToken: string;

  beforeAll(async () => {
    database = testApp.app.get(DataSource);
    redis = testRedisClient({ maxRetriesPerRequest: 1 });
    admin = await registerAccount(testApp, { email: uniqueEmail('mfa-admin') });
    await promoteToAdmin(testApp, admin.email);
    adminToken = (await login(testApp, admin.email, admin.password)).accessToken;
  });

  afterAll(() => redis?.quit());

  const post = (path: string, token: string | null, body: unknown) => {
    const request = testApp.http.post(path);
    if (token) request.set(bearer(token));
    return request.send(body as object);
  };
  const setup = (token: string | null, body: unknown) => post('/auth/mfa/totp/setup', token, body);
  const enable = (token: string | null, body: unknown) =>
    post('/auth/mfa/totp/enable', token, body);
  const disable = (token: string | null, body: unknown) =>
    post('/auth/mfa/totp/disable', token, body);
  const regenerateRecoveryCodes = (token: string | null, body: unknown) =>
    post('/auth/mfa/recovery-codes', token, body);
  const verify = (body: unknown) => post('/auth/mfa/verify', null, body);
  const loginWith = (email: string, password: string) =>
    post('/auth/login', null, { email, password });
  const resetMfa = (token: string, id: string) =>
    testApp.http.post(`/users/${id}/mfa/reset`).set(bearer(token));
  const me = (token: string) => testApp.http.get('/users/me').set(bearer(token));
  const refresh = (refreshToken: string) => post('/auth/refresh', null, { refreshToken });

  type MfaAccount = TestAccount & EnabledMfa;

  /** A new account with its second factor enabled, signed in on the session of its registration. */
  async function accountWithMfa(): Promise<MfaAccount> {
    const account = await registerAccount(testApp);
    return { ...account, ...(await enableMfa(testApp, account)) };
  }

  /** Logs in with the password, which must ask for the second factor; gives its mfaToken. */
  async function requireSecondFactor(account: TestAccount): Promise<string> {
    const response = await loginWith(account.email, account.password);
    expect({ status: response.status, mfaRequired: response.body.mfaRequired }).toEqual({
      status: 200,
      mfaRequired: true,
    });
    return response.body.mfaToken;
  }

  /** Signs in with the password and `code`; gives the new session's answer. */
  async function signInWithCode(account: TestAccount, code: string): Promise<Response['body']> {
    const mfaToken = await requireSecondFactor(account);
    const response = await verify({ mfaToken, code });
    expect(response.status).toBe(200);
    return response.body;
  }

  async function expectRevoked(session: {
    accessToken: string;
    refreshToken: string;
  }): Promise<void> {
    expectNamedError(await me(session.accessToken), 'TOKEN_REVOKED');
    expectError(await refresh(session.refreshToken), 403, 'REFRESH_INVALID');
  }

  async function expectMfaEnabled(account: TestAccount, enabled: boolean): Promise<void> {
    const response = await me(account.accessToken);
    expect({ status: response.status, mfaEnabled: response.body.mfaEnabled }).toEqual({
      status: 200,
      mfaEnabled: enabled,
    });
  }

  /** The login of an account without a second factor: tokens at once. */
  async function expectPlainLogin(account: TestAccount): Promise<void> {
    const response = await loginWith(account.email, account.password);
    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(SIGNED_IN_KEYS);
    expect(response.body.user.mfaEnabled).toBe(false);
  }

  /**
   * LOGIN_MAX_FAILURES wrong codes through `attempt` are each 400 MFA_CODE_INVALID; the next
   * attempt, even with the right code, is 429.
   */
  async function expectCodeThrottle(
    attempt: (code: string) => Promise<Response>,
    secret: string,
    rightCode: string,
  ): Promise<void> {
    const wrong = await wrongCode(secret);
    for (let failure = 1; failure <= LOGIN_MAX_FAILURES; failure += 1) {
      expectNamedError(await attempt(wrong), 'MFA_CODE_INVALID');
    }
    expectTooManyRequests(await attempt(rightCode), LOGIN_FAILURE_WINDOW_SECONDS);
  }

  describe('POST /auth/mfa/totp/setup', () => {
    it('answers a base32 secret, its otpauth URI and an SVG QR code, not active yet', async () => {
      const account = await registerAccount(testApp);
      const response = await setup(account.accessToken, { password: account.password });
      expect(response.status).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(Object.keys(response.body).sort()).toEqual(['otpauthUri', 'qrSvg', 'secret']);
      const { secret, otpauthUri, qrSvg } = response.body;
      expect(secret).toMatch(BASE32_SECRET);
      expect(otpauthUri).toBe(
        `otpauth://totp/TempMessenger:${encodeURIComponent(account.email)}` +
          `?secret=${secret}&issuer=TempMessenger`,
      );
      expect(otpauthUri).toContain('%40example.com');
      expect(qrSvg).toMatch(/^(<\?xml[^>]*>\s*)?<svg[\s\S]*<\/svg>\s*$/);

      await expectMfaEnabled(account, false);
      await expectPlainLogin(account);
    });

    it('replaces an unconfirmed setup: only the newest secret enables', async () => {
      const account = await registerAccount(testApp);
      const first = await startMfaSetup(testApp, account);
      const second = await startMfaSetup(testApp, account);
      expect(second.secret).not.toBe(first.secret);

      const { code: codeOfFirst } = await codeAfter(first.secret);
      expectNamedError(
        await enable(account.accessToken, { code: codeOfFirst }),
        'MFA_CODE_INVALID',
      );
      const { code } = await codeAfter(second.secret);
      expect((await enable(account.accessToken, { code })).status).toBe(200);
    });

    it('answers 400 WRONG_PASSWORD for a wrong password', async () => {
      const account = await registerAccount(testApp);
      const response = await setup(account.accessToken, { password: 'wrong horse battery' });
      expectNamedError(response, 'WRONG_PASSWORD');
      await expectMfaEnabled(account, false);
    });

    it('answers 409 MFA_ALREADY_ENABLED once enabled, before looking at the password', async () => {
      const account = await accountWithMfa();
      expectNamedError(
        await setup(account.accessToken, { password: account.password }),
        'MFA_ALREADY_ENABLED',
      );
      expectNamedError(
        await setup(account.accessToken, { password: 'wrong horse battery' }),
        'MFA_ALREADY_ENABLED',
      );
    });

    it('needs a token, then a password that is a string', async () => {
      const account = await registerAccount(testApp);
      expectError(await setup(null, { password: account.password }), 401, 'AUTH_REQUIRED');
      expectValidationFailed(await setup(account.accessToken, {}), 'password');
      expectValidationFailed(await setup(account.accessToken, { password: 12345678 }), 'password');
    });
  });

  describe('POST /auth/mfa/totp/enable', () => {
    it('enables with a first code and answers ten recovery codes, shown once', async () => {
      const account = await registerAccount(testApp);
      const { secret } = await startMfaSetup(testApp, account);
      const { code } = await codeAfter(secret);
      const response = await enable(account.accessToken, { code });
      expect(response.status).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toEqual({
        message: 'Two-factor authentication enabled.',
        recoveryCodes: expect.any(Array),
      });
      const { recoveryCodes } = response.body as { recoveryCodes: string[] };
      expect(recoveryCodes).toHaveLength(10);
      for (const recoveryCode of recoveryCodes) expect(recoveryCode).toMatch(RECOVERY_CODE);
      expect(new Set(recoveryCodes).size).toBe(10);

      await expectMfaEnabled(account, true);
      await requireSecondFactor(account);
    });

    it('answers 400 MFA_CODE_INVALID for a wrong code, a code of the wrong shape or secret', async () => {
      const account = await registerAccount(testApp);
      const { secret } = await startMfaSetup(testApp, account);
      const otherSecret = (await startMfaSetup(testApp, await registerAccount(testApp))).secret;
      const wrongCodes = [
        await wrongCode(secret),
        (await codeAfter(otherSecret)).code,
        '12345',
        'abcdef',
        '1'.repeat(64),
      ];
      for (const code of wrongCodes) {
        expectNamedError(await enable(account.accessToken, { code }), 'MFA_CODE_INVALID');
      }
      await expectMfaEnabled(account, false);
    });

    it('answers 409 MFA_SETUP_REQUIRED without a setup, and MFA_ALREADY_ENABLED once enabled', async () => {
      const account = await registerAccount(testApp);
      expectNamedError(await enable(account.accessToken, { code: '123456' }), 'MFA_SETUP_REQUIRED');

      const enabled = await accountWithMfa();
      const { code } = await codeAfter(enabled.secret, enabled.lastCodeTime);
      expectNamedError(await enable(enabled.accessToken, { code }), 'MFA_ALREADY_ENABLED');
    });

    it('answers 429 after 5 wrong codes, even to the right one', async () => {
      const account = await registerAccount(testApp);
      const { secret } = await startMfaSetup(testApp, account);
      const { code } = await codeAfter(secret);
      await expectCodeThrottle(
        (attempt) => enable(account.accessToken, { code: attempt }),
        secret,
        code,
      );
      await expectMfaEnabled(account, false);
    });

    it('revokes every other session of the user, and keeps the caller signed in', async () => {
      const account = await registerAccount(testApp);
      const other = await login(testApp, account.email, account.password);
      await enableMfa(testApp, account);

      await expectRevoked(other);
      expect((await me(account.accessToken)).status).toBe(200);
      expect((await refresh(account.refreshToken)).status).toBe(200);
    });

    it('needs a token, then a code of 1 to 64 characters', async () => {
      const account = await registerAccount(testApp);
      await startMfaSetup(testApp, account);
      expectError(await enable(null, { code: '123456' }), 401, 'AUTH_REQUIRED');
      for (const body of [{}, { code: 123456 }, { code: '' }, { code: '1'.repeat(65) }]) {
        expectValidationFailed(await enable(account.accessToken, body), 'code');
      }
    });
  });

  describe('POST /auth/login of an account with MFA', () => {
    it('answers exactly that a second factor is required, with an mfaToken and no tokens', async () => {
      const account = await accountWithMfa();
      const response = await loginWith(account.email, account.password);
      expect(response.status).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(Object.keys(response.body).sort()).toEqual(SECOND_FACTOR_REQUIRED_KEYS);
      expect(response.body).toEqual({
        message: 'Second factor required.',
        mfaRequired: true,
        mfaToken: expect.stringMatching(MFA_TOKEN),
        expiresIn: MFA_TOKEN_LIFETIME_SECONDS,
      });
    });

    it('still answers a wrong password as login does, with no mfaToken', async () => {
      const account = await accountWithMfa();
      const response = await loginWith(account.email, 'wrong horse battery');
      expectError(response, 401, 'INVALID_CREDENTIALS', 'Invalid email or password.');
    });
  });

  describe('user.mfaEnabled', () => {
    it('follows the factor in /users/me and in the login answers', async () => {
      const account = await registerAccount(testApp);
      await expectMfaEnabled(account, false);
      await expectPlainLogin(account);

      const { secret, lastCodeTime } = await enableMfa(testApp, account);
      await expectMfaEnabled(account, true);
      const { code } = await codeAfter(secret, lastCodeTime);
      const signedIn = await signInWithCode(account, code);
      expect(Object.keys(signedIn.user).sort()).toEqual(USER_FIELDS);
      expect(signedIn.user.mfaEnabled).toBe(true);
      expect((await me(signedIn.accessToken)).body).toEqual(signedIn.user);
    });
  });

  describe('POST /auth/mfa/verify', () => {
    it('answers exactly the login answer, and its tokens work', async () => {
      const account = await accountWithMfa();
      const mfaToken = await requireSecondFactor(account);
      const { code } = await codeAfter(account.secret, account.lastCodeTime);
      const response = await verify({ mfaToken, code });
      expect(response.status).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(Object.keys(response.body).sort()).toEqual(SIGNED_IN_KEYS);
      expect(response.body).toEqual({
        message: 'Successfully logged in.',
        user: expect.objectContaining({ id: account.id, email: account.email, mfaEnabled: true }),
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: expect.any(Number),
      });
      expect((await me(response.body.accessToken)).body).toEqual(response.body.user);
      expect((await refresh(response.body.refreshToken)).status).toBe(200);
    });

    it('takes a code with spaces in it', async () => {
      const account = await accountWithMfa();
      const mfaToken = await requireSecondFactor(account);
      const { code } = await codeAfter(account.secret, account.lastCodeTime);
      const response = await verify({ mfaToken, code: ` ${code.slice(0, 3)} ${code.slice(3)} ` });
      expect(response.status).toBe(200);
    });

    it('answers 401 MFA_TOKEN_INVALID for an mfaToken it never issued', async () => {
      const account = await accountWithMfa();
      const { code } = await codeAfter(account.secret, account.lastCodeTime);
      const garbage = ['garbage', randomBytes(32).toString('base64url'), 'x'.repeat(256)];
      for (const mfaToken of garbage) {
        expectNamedError(await verify({ mfaToken, code }), 'MFA_TOKEN_INVALID');
      }
      // The code was not spent on them.
      expect((await signInWithCode(account, code)).accessToken).toEqual(expect.any(String));
    });

    it('answers 400 MFA_CODE_INVALID for a wrong code and keeps the mfaToken alive', async () => {
      const account = await accountWithMfa();
      const mfaToken = await requireSecondFactor(account);
      for (const code of [await wrongCode(account.secret), '12345', 'abcdef', '1'.repeat(64)]) {
        expectNamedError(await verify({ mfaToken, code }), 'MFA_CODE_INVALID');
      }
      const { code } = await codeAfter(account.secret, account.lastCodeTime);
      expect((await verify({ mfaToken, code })).status).toBe(200);
    });

    it("refuses another user's code: the mfaToken is bound to its user", async () => {
      const account = await accountWithMfa();
      const other = await accountWithMfa();
      const mfaToken = await requireSecondFactor(account);
      const { code: codeOfOther } = await codeAfter(other.secret, other.lastCodeTime);
      expectNamedError(await verify({ mfaToken, code: codeOfOther }), 'MFA_CODE_INVALID');
    });

    it('takes an mfaToken once', async () => {
      const account = await accountWithMfa();
      const mfaToken = await requireSecondFactor(account);
      const first = await codeAfter(account.secret, account.lastCodeTime);
      expect((await verify({ mfaToken, code: first.code })).status).toBe(200);
      const second = await codeAfter(account.secret, first.time);
      expectNamedError(await verify({ mfaToken, code: second.code }), 'MFA_TOKEN_INVALID');
      // That fresh code is still good with a fresh mfaToken.
      await signInWithCode(account, second.code);
    });

    it('kills the mfaToken after 5 wrong codes, which also throttle the next login (429)', async () => {
      const account = await accountWithMfa();
      const mfaToken = await requireSecondFactor(account);
      const wrong = await wrongCode(account.secret);
      for (let failure = 1; failure <= 5; failure += 1) {
        expectNamedError(await verify({ mfaToken, code: wrong }), 'MFA_CODE_INVALID');
      }
      const { code } = await codeAfter(account.secret, account.lastCodeTime);
      expectNamedError(await verify({ mfaToken, code }), 'MFA_TOKEN_INVALID');
      expectTooManyRequests(
        await loginWith(account.email, account.password),
        LOGIN_FAILURE_WINDOW_SECONDS,
      );
    });

    it('counts wrong codes of several mfaTokens together with wrong passwords of the email', async () => {
      const account = await accountWithMfa();
      const wrong = await wrongCode(account.secret);
      expectError(
        await loginWith(account.email, 'wrong horse battery'),
        401,
        'INVALID_CREDENTIALS',
      );
      for (const wrongCodesSent of [2, 2]) {
        const mfaToken = await requireSecondFactor(account);
        for (let failure = 1; failure <= wrongCodesSent; failure += 1) {
          expectNamedError(await verify({ mfaToken, code: wrong }), 'MFA_CODE_INVALID');
        }
      }
      expectTooManyRequests(
        await loginWith(account.email, account.password),
        LOGIN_FAILURE_WINDOW_SECONDS,
      );
    });

    it('does not reset the per-email failure count for the password alone', async () => {
      const account = await accountWithMfa();
      for (let failure = 1; failure < LOGIN_MAX_FAILURES; failure += 1) {
        expect((await loginWith(account.email, 'wrong horse battery')).status).toBe(401);
      }
      const mfaToken = await requireSecondFactor(account);
      const wrong = await wrongCode(account.secret);
      expectNamedError(await verify({ mfaToken, code: wrong }), 'MFA_CODE_INVALID');
      expectTooManyRequests(
        await loginWith(account.email, account.password),
        LOGIN_FAILURE_WINDOW_SECONDS,
      );
    });

    it('resets the per-email failure count once the second factor is through', async () => {
      const account = await accountWithMfa();
      const failLogins = async () => {
        for (let failure = 1; failure < LOGIN_MAX_FAILURES; failure += 1) {
          expect((await loginWith(account.email, 'wrong horse battery')).status).toBe(401);
        }
      };
      await failLogins();
      const { code } = await codeAfter(account.secret, account.lastCodeTime);
      await signInWithCode(account, code);
      await failLogins();
      await requireSecondFactor(account);
    });

    it('answers a dead mfaToken 401 MFA_TOKEN_INVALID whatever else is wrong', async () => {
      const account = await accountWithMfa();
      const used = await requireSecondFactor(account);
      const first = await codeAfter(account.secret, account.lastCodeTime);
      expect((await verify({ mfaToken: used, code: first.code })).status).toBe(200);

      const { code } = await codeAfter(account.secret, first.time);
      const [recoveryCode] = account.recoveryCodes;
      for (const body of [
        { mfaToken: used, code },
        { mfaToken: used, code: await wrongCode(account.secret) },
        { mfaToken: used, code: 'not a code' },
        { mfaToken: used, recoveryCode },
        { mfaToken: used, recoveryCode: 'not a recovery code' },
      ]) {
        expectNamedError(await verify(body), 'MFA_TOKEN_INVALID');
      }

      // Past the per-email limit, a dead mfaToken is still 401 (the 429 is the next login's).
      const killed = await requireSecondFactor(account);
      for (let failure = 1; failure <= 5; failure += 1) {
        await verify({ mfaToken: killed, code: await wrongCode(account.secret) });
      }
      expectNamedError(await verify({ mfaToken: killed, code }), 'MFA_TOKEN_INVALID');
      expectNamedError(await verify({ mfaToken: used, recoveryCode }), 'MFA_TOKEN_INVALID');
    });

    it('issues an mfaToken for 300 s: expired, it is 401 MFA_TOKEN_INVALID', async () => {
      const account = await accountWithMfa();
      const keysBefore = new Set(await testRedisKeys(redis, `${REDIS_KEY_PREFIX}*`));
      const mfaToken = await requireSecondFactor(account);
      const newKeys = (await testRedisKeys(redis, `${REDIS_KEY_PREFIX}*`)).filter(
        (key) => !keysBefore.has(key),
      );
      const lifetimes = await Promise.all(newKeys.map((key) => redis.pttl(key)));
      const lifetimeMs = MFA_TOKEN_LIFETIME_SECONDS * 1000;
      const tokenKeys = newKeys.filter(
        (_key, index) => lifetimes[index] > lifetimeMs - 10_000 && lifetimes[index] <= lifetimeMs,
      );
      expect(tokenKeys).toHaveLength(1);

      // Ending the key's life now stands in for waiting 300 s.
      await redis.pexpire(tokenKeys[0], 1);
      await sleep(20);
      const { code } = await codeAfter(account.secret, account.lastCodeTime);
      expectNamedError(await verify({ mfaToken, code }), 'MFA_TOKEN_INVALID');
    });

    describe('validation', () => {
      let account: MfaAccount;
      let mfaToken: string;

      beforeAll(async () => {
        account = await accountWithMfa();
        mfaToken = await requireSecondFactor(account);
      });

      it('answers 400 VALIDATION_FAILED for both a code and a recovery code, or neither', async () => {
        const [recoveryCode] = account.recoveryCodes;
        expectError(
          await verify({ mfaToken, code: '123456', recoveryCode }),
          400,
          'VALIDATION_FAILED',
        );
        expectError(await verify({ mfaToken }), 400, 'VALIDATION_FAILED');
      });

      it.each([
        ['a code that is a number', () => ({ mfaToken, code: 123456 }), 'code'],
        ['an empty code', () => ({ mfaToken, code: '' }), 'code'],
        ['a code of 65 characters', () => ({ mfaToken, code: '1'.repeat(65) }), 'code'],
        [
          'a recovery code that is an array',
          () => ({ mfaToken, recoveryCode: ['A'] }),
          'recoveryCode',
        ],
        [
          'a recovery code of 65 characters',
          () => ({ mfaToken, recoveryCode: 'A'.repeat(65) }),
          'recoveryCode',
        ],
        ['no mfaToken', () => ({ code: '123456' }), 'mfaToken'],
        ['an mfaToken that is a number', () => ({ mfaToken: 42, code: '123456' }), 'mfaToken'],
        ['an empty mfaToken', () => ({ mfaToken: '', code: '123456' }), 'mfaToken'],
        [
          'an mfaToken of 257 characters',
          () => ({ mfaToken: 'x'.repeat(257), code: '123456' }),
          'mfaToken',
        ],
      ])('answers 400 VALIDATION_FAILED for %s', async (_label, body, field) => {
        expectValidationFailed(await verify(body()), field);
      });

      it('left the mfaToken usable', async () => {
        const { code } = await codeAfter(account.secret, account.lastCodeTime);
        expect((await verify({ mfaToken, code })).status).toBe(200);
      });
    });
  });

  describe('replay', () => {
    it('refuses a code already used', async () => {
      const account = await accountWithMfa();
      const { code } = await codeAfter(account.secret, account.lastCodeTime);
      await signInWithCode(account, code);
      const mfaToken = await requireSecondFactor(account);
      expectNamedError(await verify({ mfaToken, code }), 'MFA_CODE_INVALID');
    });

    it('refuses the code that enabled the factor', async () => {
      const account = await registerAccount(testApp);
      const { secret } = await startMfaSetup(testApp, account);
      const { code } = await codeAfter(secret);
      expect((await enable(account.accessToken, { code })).status).toBe(200);
      const mfaToken = await requireSecondFactor(account);
      expectNamedError(await verify({ mfaToken, code }), 'MFA_CODE_INVALID');
    });

    it('refuses a code of an earlier step once a later one was used', async () => {
      const account = await accountWithMfa();
      const earlier = await codeAfter(account.secret, account.lastCodeTime);
      const later = await codeAfter(account.secret, earlier.time);
      await signInWithCode(account, later.code);
      const mfaToken = await requireSecondFactor(account);
      expectNamedError(await verify({ mfaToken, code: earlier.code }), 'MFA_CODE_INVALID');
    });

    it('lets exactly one of two concurrent verifications with one code through', async () => {
      const account = await accountWithMfa();
      const mfaTokens = [await requireSecondFactor(account), await requireSecondFactor(account)];
      const { code } = await codeAfter(account.secret, account.lastCodeTime);
      const responses = await Promise.all(mfaTokens.map((mfaToken) => verify({ mfaToken, code })));
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([200, 400]);
      expectNamedError(
        responses.find((response) => response.status === 400)!,
        'MFA_CODE_INVALID',
      );
    });

    it('opens exactly one session for one mfaToken sent twice at once with two good codes', async () => {
      const account = await accountWithMfa();
      const mfaToken = await requireSecondFactor(account);
      const earlier = await codeAfter(account.secret, account.lastCodeTime);
      const later = await codeAfter(account.secret, earlier.time);
      const responses = await Promise.all([
        verify({ mfaToken, code: earlier.code }),
        verify({ mfaToken, code: later.code }),
      ]);
      const succeeded = responses.filter((response) => response.status === 200);
      expect(succeeded).toHaveLength(1);
      const [failed] = responses.filter((response) => response.status !== 200);
      // Refused as a spent mfaToken, or as a replay of an earlier step.
      expect(['MFA_TOKEN_INVALID', 'MFA_CODE_INVALID']).toContain(failed.body.code);

      // The session of the registration and the one just opened.
      const sessions = await testApp.http
        .get('/auth/sessions')
        .set(bearer(succeeded[0].body.accessToken))
        .expect(200);
      expect(sessions.body.items).toHaveLength(2);
    });
  });

  describe('recovery codes', () => {
    it('signs in with a recovery code in any case, with spaces and hyphens, once', async () => {
      const account = await accountWithMfa();
      const [first, second] = account.recoveryCodes;

      let mfaToken = await requireSecondFactor(account);
      const signedIn = await verify({ mfaToken, recoveryCode: typedLoosely(first) });
      expect(signedIn.status).toBe(200);
      expect(Object.keys(signedIn.body).sort()).toEqual(SIGNED_IN_KEYS);
      mfaToken = await requireSecondFactor(account);
      expect((await verify({ mfaToken, recoveryCode: second.toLowerCase() })).status).toBe(200);

      for (const spent of [first, typedLoosely(second)]) {
        mfaToken = await requireSecondFactor(account);
        expectNamedError(await verify({ mfaToken, recoveryCode: spent }), 'MFA_CODE_INVALID');
      }
    });

    it('refuses a recovery code sent as `code`, and a TOTP code sent as `recoveryCode`', async () => {
      const account = await accountWithMfa();
      const mfaToken = await requireSecondFactor(account);
      const { code } = await codeAfter(account.secret, account.lastCodeTime);
      expectNamedError(
        await verify({ mfaToken, code: account.recoveryCodes[0] }),
        'MFA_CODE_INVALID',
      );
      expectNamedError(await verify({ mfaToken, recoveryCode: code }), 'MFA_CODE_INVALID');
    });

    describe('POST /auth/mfa/recovery-codes', () => {
      it('answers a new set for a TOTP code; the old set stops working', async () => {
        const account = await accountWithMfa();
        const { code } = await codeAfter(account.secret, account.lastCodeTime);
        const response = await regenerateRecoveryCodes(account.accessToken, { code });
        expect(response.status).toBe(200);
        expect(response.headers['cache-control']).toBe('no-store');
        expect(Object.keys(response.body)).toEqual(['recoveryCodes']);
        const renewed = response.body.recoveryCodes as string[];
        expect(renewed).toHaveLength(10);
        for (const recoveryCode of renewed) expect(recoveryCode).toMatch(RECOVERY_CODE);
        expect(renewed.filter((fresh) => account.recoveryCodes.includes(fresh))).toEqual([]);

        let mfaToken = await requireSecondFactor(account);
        expectNamedError(
          await verify({ mfaToken, recoveryCode: account.recoveryCodes[0] }),
          'MFA_CODE_INVALID',
        );
        mfaToken = await requireSecondFactor(account);
        expect((await verify({ mfaToken, recoveryCode: renewed[0] })).status).toBe(200);
      });

      it('answers 400 MFA_CODE_INVALID for a wrong code, or a recovery code (TOTP only)', async () => {
        const account = await accountWithMfa();
        for (const code of [await wrongCode(account.secret), account.recoveryCodes[0]]) {
          expectNamedError(
            await regenerateRecoveryCodes(account.accessToken, { code }),
            'MFA_CODE_INVALID',
          );
        }
        // The recovery code was not spent.
        const mfaToken = await requireSecondFactor(account);
        const recoveryCode = account.recoveryCodes[0];
        expect((await verify({ mfaToken, recoveryCode })).status).toBe(200);
      });

      it('answers 409 MFA_NOT_ENABLED without an enabled factor', async () => {
        const account = await registerAccount(testApp);
        expectNamedError(
          await regenerateRecoveryCodes(account.accessToken, { code: '123456' }),
          'MFA_NOT_ENABLED',
        );
        const { secret } = await startMfaSetup(testApp, account);
        const { code } = await codeAfter(secret);
        expectNamedError(
          await regenerateRecoveryCodes(account.accessToken, { code }),
          'MFA_NOT_ENABLED',
        );
      });

      it('answers 429 after 5 wrong codes, even to the right one', async () => {
        const account = await accountWithMfa();
        const { code } = await codeAfter(account.secret, account.lastCodeTime);
        await expectCodeThrottle(
          (attempt) => regenerateRecoveryCodes(account.accessToken, { code: attempt }),
          account.secret,
          code,
        );
      });

      it('needs a token, then a code of 1 to 64 characters', async () => {
        const account = await accountWithMfa();
        expectError(await regenerateRecoveryCodes(null, { code: '123456' }), 401, 'AUTH_REQUIRED');
        for (const body of [{}, { code: 123456 }, { code: '' }, { code: '1'.repeat(65) }]) {
          expectValidationFailed(await regenerateRecoveryCodes(account.accessToken, body), 'code');
        }
      });
    });
  });

  describe('POST /auth/mfa/totp/disable', () => {
    it('disables with the password and a code, and revokes every other session', async () => {
      const account = await accountWithMfa();
      const first = await codeAfter(account.secret, account.lastCodeTime);
      const other = await signInWithCode(account, first.code);
      const { code } = await codeAfter(account.secret, first.time);

      const response = await disable(account.accessToken, { password: account.password, code });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ message: 'Two-factor authentication disabled.' });

      await expectRevoked(other);
      expect((await refresh(account.refreshToken)).status).toBe(200);
      await expectMfaEnabled(account, false);
      await expectPlainLogin(account);
    });

    it('disables with a recovery code in place of the TOTP code', async () => {
      const account = await accountWithMfa();
      const recoveryCode = typedLoosely(account.recoveryCodes[3]);
      const response = await disable(account.accessToken, {
        password: account.password,
        code: recoveryCode,
      });
      expect(response.status).toBe(200);
      await expectMfaEnabled(account, false);
    });

    it('answers 400 WRONG_PASSWORD before looking at the code, and MFA_CODE_INVALID for a wrong code', async () => {
      const account = await accountWithMfa();
      const { code } = await codeAfter(account.secret, account.lastCodeTime);
      expectNamedError(
        await disable(account.accessToken, { password: 'wrong horse battery', code }),
        'WRONG_PASSWORD',
      );
      expectNamedError(
        await disable(account.accessToken, {
          password: 'wrong horse battery',
          code: await wrongCode(account.secret),
        }),
        'WRONG_PASSWORD',
      );
      expectNamedError(
        await disable(account.accessToken, {
          password: account.password,
          code: await wrongCode(account.secret),
        }),
        'MFA_CODE_INVALID',
      );
      await expectMfaEnabled(account, true);
    });

    it('answers 409 MFA_NOT_ENABLED without an enabled factor, before the password', async () => {
      const account = await registerAccount(testApp);
      const attempt = (password: string) =>
        disable(account.accessToken, { password, code: '123456' });
      expectNamedError(await attempt(account.password), 'MFA_NOT_ENABLED');
      await startMfaSetup(testApp, account);
      expectNamedError(await attempt(account.password), 'MFA_NOT_ENABLED');
      expectNamedError(await attempt('wrong horse battery'), 'MFA_NOT_ENABLED');
    });

    it('answers 429 after 5 wrong codes, even to the right one', async () => {
      const account = await accountWithMfa();
      const { code } = await codeAfter(account.secret, account.lastCodeTime);
      await expectCodeThrottle(
        (attempt) => disable(account.accessToken, { password: account.password, code: attempt }),
        account.secret,
        code,
      );
      await expectMfaEnabled(account, true);
    });

    it('needs a token, then a password and a code of 1 to 64 characters', async () => {
      const account = await accountWithMfa();
      const { password } = account;
      expectError(await disable(null, { password, code: '123456' }), 401, 'AUTH_REQUIRED');
      const bodies: [unknown, string][] = [
        [{ code: '123456' }, 'password'],
        [{ password }, 'code'],
        [{ password, code: 123456 }, 'code'],
        [{ password, code: '' }, 'code'],
        [{ password, code: '1'.repeat(65) }, 'code'],
      ];
      for (const [body, field] of bodies) {
        expectValidationFailed(await disable(account.accessToken, body), field);
      }
    });
  });

  describe('POST /users/:id/mfa/reset', () => {
    it('turns the factor off, revokes every session of the user and answers the admin user', async () => {
      const account = await accountWithMfa();
      const { code } = await codeAfter(account.secret, account.lastCodeTime);
      const other = await signInWithCode(account, code);
      const before = await testApp.http.get(`/users/${account.id}`).set(bearer(adminToken));
      expect(before.body.mfaEnabled).toBe(true);

      const response = await resetMfa(adminToken, account.id);
      expect(response.status).toBe(200);
      expect(Object.keys(response.body).sort()).toEqual(ADMIN_USER_FIELDS);
      expect(response.body).toEqual({
        ...before.body,
        mfaEnabled: false,
        disabledAt: null,
      });

      await expectRevoked(account);
      await expectRevoked(other);
      await expectPlainLogin(account);
    });

    it('answers 200 for a user without MFA, given its id in upper case', async () => {
      const account = await registerAccount(testApp);
      const response = await resetMfa(adminToken, account.id.toUpperCase());
      expect(response.status).toBe(200);
      expect(response.body).toEqual(expect.objectContaining({ id: account.id, mfaEnabled: false }));
    });

    it('answers 404 USER_NOT_FOUND for an unknown or malformed id', async () => {
      for (const id of [randomUUID(), 'not-a-uuid']) {
        expectError(await resetMfa(adminToken, id), 404, 'USER_NOT_FOUND');
      }
    });

    it('is for admins only', async () => {
      const account = await accountWithMfa();
      const response = await resetMfa(account.accessToken, account.id);
      expectError(response, 403, 'FORBIDDEN');
      expectError(await testApp.http.post(`/users/${account.id}/mfa/reset`), 401, 'AUTH_REQUIRED');
      await expectMfaEnabled(account, true);
    });
  });

  describe('secrets at rest', () => {
    interface FactorRow {
      secret_ciphertext: string;
      key_id: string;
      enabled_at: Date | null;
      last_used_step: string | null;
    }

    async function factorRow(userId: string): Promise<FactorRow> {
      const rows: FactorRow[] = await database.query(
        `SELECT secret_ciphertext, key_id, enabled_at, last_used_step::text AS last_used_step
         FROM mfa_factors WHERE user_id = $1`,
        [userId],
      );
      expect(rows).toHaveLength(1);
      return rows[0];
    }

    function expectSealed(row: FactorRow, secret: string): void {
      expect(row.secret_ciphertext).toMatch(SECRET_CIPHERTEXT);
      expect(row.secret_ciphertext).not.toContain(secret);
      expect(row.secret_ciphertext).not.toContain(secret.toLowerCase());
      expect(row.key_id).toMatch(KEY_ID);
    }

    it('keeps the secret encrypted under a key id, pending and then enabled', async () => {
      const account = await registerAccount(testApp);
      const { secret } = await startMfaSetup(testApp, account);
      const pending = await factorRow(account.id);
      expectSealed(pending, secret);
      expect(pending.enabled_at).toBeNull();

      const { code, time } = await codeAfter(secret);
      expect((await enable(account.accessToken, { code })).status).toBe(200);
      const enabled = await factorRow(account.id);
      expectSealed(enabled, secret);
      expect(enabled.enabled_at).toBeInstanceOf(Date);
      expect(enabled.last_used_step).toBe(String(time / TOTP_PERIOD_SECONDS));
    });

    it('keeps only hashes of the recovery codes, and marks a used one', async () => {
      const account = await accountWithMfa();
      const recoveryRows = async () =>
        (await database.query(
          'SELECT code_hash, used_at FROM mfa_recovery_codes WHERE user_id = $1',
          [account.id],
        )) as { code_hash: string; used_at: Date | null }[];
      const rows = await recoveryRows();
      expect(rows).toHaveLength(10);
      const stored = rows.map((row) => row.code_hash);
      for (const hash of stored) expect(hash).toMatch(/^[0-9a-f]{64}$/i);
      for (const recoveryCode of account.recoveryCodes) {
        expect(stored.join()).not.toContain(recoveryCode);
        expect(stored.join()).not.toContain(recoveryCode.toLowerCase());
      }
      expect(rows.filter((row) => row.used_at !== null)).toHaveLength(0);

      const mfaToken = await requireSecondFactor(account);
      expect((await verify({ mfaToken, recoveryCode: account.recoveryCodes[0] })).status).toBe(200);
      expect((await recoveryRows()).filter((row) => row.used_at !== null)).toHaveLength(1);
    });

    describe('key rotation with the CLI', () => {
      /** Runs `mfa-rotate-key` in-process with the next key current and the suite's as previous. */
      async function rotateKey(): Promise<{ code: number; out: string }> {
        const out: string[] = [];
        const code = await runCli(
          ['mfa-rotate-key'],
          testConfig({
            MFA_ENCRYPTION_KEY: NEXT_ENCRYPTION_KEY,
            MFA_PREVIOUS_ENCRYPTION_KEYS: TEST_MFA_ENCRYPTION_KEY,
          }),
          { out: (line) => out.push(line), err: (line) => out.push(line) },
        );
        return { code, out: out.join('\n') };
      }

      async function signInOn(app: AppUnderTest, account: MfaAccount): Promise<Response> {
        const challenge = await app.http
          .post('/auth/login')
          .send({ email: account.email, password: account.password })
          .expect(200);
        const { code } = await codeAfter(account.secret, account.lastCodeTime);
        return app.http.post('/auth/mfa/verify').send({ mfaToken: challenge.body.mfaToken, code });
      }

      it('re-encrypts every secret under the new key, which alone then verifies codes', async () => {
        const account = await accountWithMfa();
        const before = await factorRow(account.id);

        const run = await rotateKey();
        const after = await factorRow(account.id);
        expect(run).toEqual({
          code: 0,
          out: expect.stringMatching(
            new RegExp(`^Re-encrypted [1-9]\\d* secrets? under key ${after.key_id}\\.$`, 'm'),
          ),
        });
        expectSealed(after, account.secret);
        expect(after.key_id).not.toBe(before.key_id);
        expect(after.secret_ciphertext).not.toBe(before.secret_ciphertext);
        // Nothing is left under an older key.
        expect(await rotateKey()).toEqual({
          code: 0,
          out: expect.stringContaining(`Re-encrypted 0 secrets under key ${after.key_id}.`),
        });

        const rotatedApp = await startTestApp({ MFA_ENCRYPTION_KEY: NEXT_ENCRYPTION_KEY });
        try {
          const signedIn = await signInOn(rotatedApp, account);
          expect(signedIn.status).toBe(200);
          expect(signedIn.body.user.id).toBe(account.id);
        } finally {
          await rotatedApp.close();
        }
      });
    });
  });

  describe('JSON-RPC', () => {
    const rpc = (method: string, params?: unknown) => callRpc(testApp, method, params);

    it('user.login answers the second-factor shape, and auth.mfa.verify the login answer, as REST does', async () => {
      const account = await accountWithMfa();
      const credentials = { email: account.email, password: account.password };
      const rest = await loginWith(account.email, account.password).expect(200);
      const { result: challenge } = await rpc('user.login', credentials);
      expect(Object.keys(challenge).sort()).toEqual(SECOND_FACTOR_REQUIRED_KEYS);
      expect(challenge).toEqual({ ...rest.body, mfaToken: expect.stringMatching(MFA_TOKEN) });

      const { code } = await codeAfter(account.secret, account.lastCodeTime);
      const { result } = await rpc('auth.mfa.verify', { mfaToken: challenge.mfaToken, code });
      const restSignedIn = await verify({
        mfaToken: rest.body.mfaToken,
        recoveryCode: account.recoveryCodes[0],
      }).expect(200);
      expect(Object.keys(result).sort()).toEqual(SIGNED_IN_KEYS);
      expect(result).toEqual({
        ...restSignedIn.body,
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
      });
      expect((await me(result.accessToken)).body).toEqual(result.user);

      const { result: again } = await rpc('user.login', credentials);
      const byRecoveryCode = await rpc('auth.mfa.verify', {
        mfaToken: again.mfaToken,
        recoveryCode: typedLoosely(account.recoveryCodes[1]),
      });
      expect(Object.keys(byRecoveryCode.result).sort()).toEqual(SIGNED_IN_KEYS);
    });

    it('auth.mfa.verify answers the errors of REST', async () => {
      const account = await accountWithMfa();
      const { result: challenge } = await rpc('user.login', {
        email: account.email,
        password: account.password,
      });
      const { mfaToken } = challenge;
      const wrong = await rpc('auth.mfa.verify', {
        mfaToken,
        code: await wrongCode(account.secret),
      });
      expectRpcError(wrong, 400, 'MFA_CODE_INVALID', ERRORS.MFA_CODE_INVALID.message);
      const garbage = await rpc('auth.mfa.verify', { mfaToken: 'garbage', code: '123456' });
      expectRpcError(garbage, 401, 'MFA_TOKEN_INVALID', ERRORS.MFA_TOKEN_INVALID.message);
      const both = await rpc('auth.mfa.verify', {
        mfaToken,
        code: '123456',
        recoveryCode: account.recoveryCodes[0],
      });
      expectRpcError(both, -32602, 'VALIDATION_FAILED');
      expectRpcError(await rpc('auth.mfa.verify', { mfaToken }), -32602, 'VALIDATION_FAILED');
    });
  });

  describe('auth events in the log', () => {
    const authEventsOf = (userId: string): LogLine[] =>
      logLines(testApp).filter((line) => line.msg === 'auth event' && line.userId === userId);

    it('logs every step; never a code, a recovery code, the secret or an mfaToken', async () => {
      const account = await registerAccount(testApp);
      const { secret } = await startMfaSetup(testApp, account);
      const first = await codeAfter(secret);
      const enabled = await enable(account.accessToken, { code: first.code }).expect(200);
      const recoveryCodes: string[] = enabled.body.recoveryCodes;

      const mfaTokens = [await requireSecondFactor(account)];
      const wrong = await wrongCode(secret);
      expectNamedError(await verify({ mfaToken: mfaTokens[0], code: wrong }), 'MFA_CODE_INVALID');
      const second = await codeAfter(secret, first.time);
      expect((await verify({ mfaToken: mfaTokens[0], code: second.code })).status).toBe(200);
      mfaTokens.push(await requireSecondFactor(account));
      const recoveryCode = recoveryCodes[0];
      expect((await verify({ mfaToken: mfaTokens[1], recoveryCode })).status).toBe(200);

      const third = await codeAfter(secret, second.time);
      const renewed = await regenerateRecoveryCodes(account.accessToken, { code: third.code });
      expect(renewed.status).toBe(200);
      const renewedCodes: string[] = renewed.body.recoveryCodes;
      const disableCode = renewedCodes[0];
      await disable(account.accessToken, { password: account.password, code: disableCode }).expect(
        200,
      );

      await waitForLogLine(
        testApp,
        (line) => line.event === 'mfa.disabled' && line.userId === account.id,
      );
      const events = authEventsOf(account.id);
      expect(events.map((line) => line.event)).toEqual(
        expect.arrayContaining([
          'mfa.setup_started',
          'mfa.enabled',
          'login.mfa_required',
          'login.failed',
          'login.succeeded',
          'mfa.recovery_code_used',
          'mfa.recovery_codes_regenerated',
          'mfa.disabled',
        ]),
      );
      expect(events).toContainEqual(
        expect.objectContaining({ event: 'login.failed', reason: 'mfa_code_invalid' }),
      );

      const secrets = [
        secret,
        secret.toLowerCase(),
        ...recoveryCodes,
        ...renewedCodes,
        ...mfaTokens,
      ];
      const codes = [first.code, second.code, third.code, wrong];
      const everyLine = logLines(testApp).map((line) => JSON.stringify(line));
      for (const value of secrets) {
        expect(everyLine.filter((line) => line.includes(value))).toEqual([]);
      }
      for (const line of events) {
        // Its `time` in milliseconds may hold any six digits.
        const text = JSON.stringify(line, (key, value) => (key === 'time' ? undefined : value));
        for (const value of [...secrets, ...codes]) expect(text).not.toContain(value);
      }
    });

    it("logs an admin's reset with the admin as the actor", async () => {
      const account = await accountWithMfa();
      await resetMfa(adminToken, account.id).expect(200);
      const line = await waitForLogLine(
        testApp,
        (candidate) => candidate.event === 'mfa.reset' && candidate.userId === account.id,
      );
      expect(line).toEqual(
        expect.objectContaining({ msg: 'auth event', event: 'mfa.reset', actorId: admin.id }),
      );
    });
  });
});
