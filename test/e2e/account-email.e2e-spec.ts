import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { DataSource } from 'typeorm';
import { bearer, login, registerAccount, type TestAccount, uniqueEmail } from './support/accounts';
import { expectError } from './support/expectations';
import { waitForLogLine } from './support/log-file';
import { linkToken, type ReceivedMail, TestMailServer } from './support/mail-server';
import { callRpc } from './support/rpc';
import { startTestApp, useTestApp } from './support/test-app';
import { ISO_UTC_MILLIS } from './support/formats';
import { sleep, until } from './support/polling';

const PUBLIC_URL = 'https://chat.example.test';
const MAIL_FROM = 'TempMessenger <no-reply@example.test>';
const NEW_PASSWORD = 'a brand new passphrase';

describe('Accounts by email (verification, password reset, email change) over real SMTP', () => {
  let mailServer: TestMailServer;
  beforeAll(async () => {
    mailServer = await TestMailServer.start();
  });
  afterAll(() => mailServer?.close());
  const testApp = useTestApp(() => ({ SMTP_URL: mailServer.url, PUBLIC_URL, MAIL_FROM }));

  const post = (path: string, body: object, token?: string) => {
    const request = testApp.http.post(path);
    if (token) request.set(bearer(token));
    return request.send(body);
  };

  /** Registers an account and returns it with its verification mail. */
  async function registerWithMail(): Promise<{ account: TestAccount; mail: ReceivedMail }> {
    const account = await registerAccount(testApp);
    return { account, mail: await mailServer.waitForMail(account.email) };
  }

  async function forgotAndReadToken(email: string, count = 1): Promise<string> {
    await post('/auth/password/forgot', { email }).expect(202);
    return linkToken(await mailServer.waitForMail(email, count), 'reset-password');
  }

  /** Asks to move the account to a new address; returns it and the token mailed to it. */
  async function requestEmailChange(account: TestAccount, label: string) {
    const newEmail = uniqueEmail(label);
    await post(
      '/users/me/email',
      { newEmail, password: account.password },
      account.accessToken,
    ).expect(202);
    const token = linkToken(await mailServer.waitForMail(newEmail), 'confirm-email');
    return { newEmail, token };
  }

  /** Waits long enough for a queued mail to have been sent, then checks none was. */
  async function expectNoMail(address: string): Promise<void> {
    await sleep(1500);
    expect(mailServer.mailsTo(address)).toEqual([]);
  }

  describe('verification', () => {
    it('mails a verification link at registration, in text and HTML, naming no other secret', async () => {
      const { account, mail } = await registerWithMail();
      expect(mail.subject).toBe('Verify your email address');
      expect(mail.raw).toContain('From: TempMessenger <no-reply@example.test>');
      const token = linkToken(mail, 'verify-email');
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(mail.text).toContain(`${PUBLIC_URL}/verify-email#token=${token}`);
      // Handlebars escapes `=` in HTML; a browser reads the entity back.
      expect(mail.html.replaceAll('&#x3D;', '=')).toContain(
        `href="${PUBLIC_URL}/verify-email#token=${token}"`,
      );
      for (const secret of [account.password, account.accessToken, account.refreshToken]) {
        expect(mail.raw).not.toContain(secret);
      }
      const me = await testApp.http.get('/users/me').set(bearer(account.accessToken)).expect(200);
      expect(me.body.emailVerifiedAt).toBeNull();
    });

    it('verifies the address once; the link does nothing a second time', async () => {
      const { account, mail } = await registerWithMail();
      const token = linkToken(mail, 'verify-email');
      const verified = await post('/auth/email/verify', { token }).expect(200);
      expect(verified.body).toEqual({
        message: 'Email verified.',
        user: expect.objectContaining({ id: account.id, email: account.email }),
      });
      expect(verified.body.user.emailVerifiedAt).toMatch(ISO_UTC_MILLIS);
      expectError(await post('/auth/email/verify', { token }), 400, 'EMAIL_TOKEN_INVALID');
      const me = await testApp.http.get('/users/me').set(bearer(account.accessToken)).expect(200);
      expect(me.body.emailVerifiedAt).toBe(verified.body.user.emailVerifiedAt);
    });

    it('keeps only the SHA-256 of a token, and no queued mail once it is sent', async () => {
      const { account, mail } = await registerWithMail();
      const token = linkToken(mail, 'verify-email');
      const database = testApp.app.get(DataSource);
      const rows = (await database.query(
        `SELECT token_hash, purpose, email FROM account_tokens
          WHERE user_id = $1`,
        [account.id],
      )) as Array<{ token_hash: string; purpose: string; email: string }>;
      expect(rows).toEqual([
        {
          token_hash: createHash('sha256').update(token).digest('hex'),
          purpose: 'email_verification',
          email: account.email,
        },
      ]);
      const queued = (await database.query(
        `SELECT count(*)::int AS count FROM mail_jobs WHERE payload->>'userId' = $1`,
        [account.id],
      )) as Array<{ count: number }>;
      expect(queued[0].count).toBe(0);
    });

    it('sends a new link on request, refuses a verified address, and limits mails per address', async () => {
      const { account, mail } = await registerWithMail();
      await post('/auth/email/verify/request', {}, account.accessToken)
        .expect(202)
        .expect({ message: 'Verification email sent.' });
      const second = await mailServer.waitForMail(account.email, 2);
      // Both links work until one is used.
      expect(linkToken(second, 'verify-email')).not.toBe(linkToken(mail, 'verify-email'));
      await post('/auth/email/verify/request', {}, account.accessToken).expect(202);
      await mailServer.waitForMail(account.email, 3);
      // MAIL_PER_EMAIL_LIMIT=3, the registration mail included.
      const limited = await post('/auth/email/verify/request', {}, account.accessToken);
      expectError(limited, 429, 'TOO_MANY_REQUESTS');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

      await post('/auth/email/verify', { token: linkToken(second, 'verify-email') }).expect(200);
      // The first link died with the use of the second.
      expectError(
        await post('/auth/email/verify', { token: linkToken(mail, 'verify-email') }),
        400,
        'EMAIL_TOKEN_INVALID',
      );
      expectError(
        await post('/auth/email/verify/request', {}, account.accessToken),
        409,
        'EMAIL_ALREADY_VERIFIED',
      );
    });

    it('needs a signed-in caller to request a link', async () => {
      expectError(await post('/auth/email/verify/request', {}), 401, 'AUTH_REQUIRED');
    });

    it('answers one error for unknown, malformed and wrong-purpose tokens', async () => {
      const { account, mail } = await registerWithMail();
      const verification = linkToken(mail, 'verify-email');
      for (const token of ['', 'x', 'A'.repeat(43), `${verification}x`]) {
        expectError(await post('/auth/email/verify', { token }), 400, 'EMAIL_TOKEN_INVALID');
      }
      // Made for verification, so it neither resets a password nor changes an address.
      expectError(
        await post('/auth/password/reset', { token: verification, newPassword: NEW_PASSWORD }),
        400,
        'RESET_TOKEN_INVALID',
      );
      expectError(
        await post('/auth/email/change/confirm', { token: verification }),
        400,
        'EMAIL_TOKEN_INVALID',
      );
      // A reset token does not verify an address.
      const reset = await forgotAndReadToken(account.email, 2);
      expectError(await post('/auth/email/verify', { token: reset }), 400, 'EMAIL_TOKEN_INVALID');
      // Still good for what it was made for.
      await post('/auth/email/verify', { token: verification }).expect(200);
    });

    it('refuses bodies without a string token', async () => {
      for (const body of [{}, { token: 42 }, { token: null }, { token: 'a\u0000b' }]) {
        expectError(await post('/auth/email/verify', body), 400, 'VALIDATION_FAILED');
      }
      expectError(
        await post('/auth/email/verify', { token: 'x'.repeat(257) }),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('lets exactly one of two concurrent uses of a token succeed', async () => {
      const { mail } = await registerWithMail();
      const token = linkToken(mail, 'verify-email');
      const answers = await Promise.all(
        Array.from({ length: 4 }, () => post('/auth/email/verify', { token })),
      );
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400, 400, 400]);
    });
  });

  describe('password reset', () => {
    it('answers the same for an unknown address, and mails nothing', async () => {
      const unknown = uniqueEmail('nobody');
      const answer = await post('/auth/password/forgot', { email: unknown }).expect(202);
      expect(answer.body).toEqual({
        message: 'If an account exists for this email, a reset link was sent.',
      });
      const { account } = await registerWithMail();
      const known = await post('/auth/password/forgot', { email: account.email }).expect(202);
      expect(known.body).toEqual(answer.body);
      expect(Object.keys(known.headers).sort()).toEqual(Object.keys(answer.headers).sort());
      await mailServer.waitForMail(account.email, 2);
      await expectNoMail(unknown);
    });

    it('resets the password: every session ends, the address counts as verified, a notice is sent', async () => {
      const { account } = await registerWithMail();
      const other = await login(testApp, account.email, account.password);
      await post('/auth/password/forgot', { email: ` ${account.email.toUpperCase()} ` }).expect(
        202,
      );
      const token = linkToken(await mailServer.waitForMail(account.email, 2), 'reset-password');

      const reset = await post('/auth/password/reset', { token, newPassword: NEW_PASSWORD });
      expect(reset.status).toBe(200);
      expect(reset.body).toEqual({ message: 'Password reset. Please log in.' });

      for (const accessToken of [account.accessToken, other.accessToken]) {
        expectError(
          await testApp.http.get('/users/me').set(bearer(accessToken)),
          401,
          'TOKEN_REVOKED',
        );
      }
      expectError(
        await post('/auth/refresh', { refreshToken: account.refreshToken }),
        403,
        'REFRESH_INVALID',
      );
      expectError(
        await post('/auth/login', { email: account.email, password: account.password }),
        401,
        'INVALID_CREDENTIALS',
      );
      const signedIn = await post('/auth/login', {
        email: account.email,
        password: NEW_PASSWORD,
      }).expect(200);
      expect(signedIn.body.user.emailVerifiedAt).toMatch(ISO_UTC_MILLIS);

      const notice = await mailServer.waitForMail(account.email, 3);
      expect(notice.subject).toBe('Your password was reset');
      expect(notice.text).not.toContain('#token=');
      expectError(
        await post('/auth/password/reset', { token, newPassword: 'yet another passphrase' }),
        400,
        'RESET_TOKEN_INVALID',
      );
    });

    it("kills the user's other reset links when one is used", async () => {
      const { account } = await registerWithMail();
      const first = await forgotAndReadToken(account.email, 2);
      const second = await forgotAndReadToken(account.email, 3);
      await post('/auth/password/reset', { token: second, newPassword: NEW_PASSWORD }).expect(200);
      expectError(
        await post('/auth/password/reset', { token: first, newPassword: 'another passphrase' }),
        400,
        'RESET_TOKEN_INVALID',
      );
    });

    it('checks the new password before using the token', async () => {
      const { account } = await registerWithMail();
      const token = await forgotAndReadToken(account.email, 2);
      expectError(
        await post('/auth/password/reset', { token, newPassword: 'short' }),
        400,
        'VALIDATION_FAILED',
      );
      expectError(
        await post('/auth/password/reset', { token, newPassword: 'é'.repeat(37) }),
        400,
        'VALIDATION_FAILED',
      );
      await post('/auth/password/reset', { token, newPassword: NEW_PASSWORD }).expect(200);
    });

    it('lets exactly one of concurrent resets with one token succeed', async () => {
      const { account } = await registerWithMail();
      const token = await forgotAndReadToken(account.email, 2);
      const answers = await Promise.all(
        ['first passphrase', 'second passphrase', 'third passphrase'].map((newPassword) =>
          post('/auth/password/reset', { token, newPassword }),
        ),
      );
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400, 400]);
      const winner = ['first passphrase', 'second passphrase', 'third passphrase'][
        answers.findIndex((answer) => answer.status === 200)
      ];
      await login(testApp, account.email, winner);
    });

    it('past the per-address limit, answers as usual and sends nothing', async () => {
      const { account } = await registerWithMail();
      await forgotAndReadToken(account.email, 2);
      await forgotAndReadToken(account.email, 3);
      await post('/auth/password/forgot', { email: account.email }).expect(202);
      await sleep(1500);
      expect(mailServer.mailsTo(account.email)).toHaveLength(3);
    });

    it('refuses a malformed address with a validation error, like any body', async () => {
      for (const email of ['not-an-email', '', 'a'.repeat(250) + '@x.io']) {
        expectError(await post('/auth/password/forgot', { email }), 400, 'VALIDATION_FAILED');
      }
    });
  });

  describe('email change', () => {
    it('confirms from the new address, notifies the old one, and moves the login', async () => {
      const { account } = await registerWithMail();
      const newEmail = uniqueEmail('moved');
      await post('/users/me/email', { newEmail, password: account.password }, account.accessToken)
        .expect(202)
        .expect({ message: 'Confirmation sent to the new address.' });

      const notice = await mailServer.waitForMail(account.email, 2);
      expect(notice.subject).toBe('A change of your email address was requested');
      expect(notice.text).not.toContain(newEmail);
      const confirmation = await mailServer.waitForMail(newEmail);
      const token = linkToken(confirmation, 'confirm-email');

      const changed = await post('/auth/email/change/confirm', { token }).expect(200);
      expect(changed.body.message).toBe('Email changed.');
      expect(changed.body.user).toMatchObject({ id: account.id, email: newEmail });
      expect(changed.body.user.emailVerifiedAt).toMatch(ISO_UTC_MILLIS);
      await login(testApp, newEmail, account.password);
      expectError(
        await post('/auth/login', { email: account.email, password: account.password }),
        401,
        'INVALID_CREDENTIALS',
      );
      expectError(await post('/auth/email/change/confirm', { token }), 400, 'EMAIL_TOKEN_INVALID');
    });

    it('a verification link mailed to the old address verifies nothing after the change', async () => {
      const { account, mail } = await registerWithMail();
      const { token } = await requestEmailChange(account, 'moved');
      await post('/auth/email/change/confirm', { token }).expect(200);
      expectError(
        await post('/auth/email/verify', { token: linkToken(mail, 'verify-email') }),
        400,
        'EMAIL_TOKEN_INVALID',
      );
    });

    it('needs the password and a free address', async () => {
      const { account } = await registerWithMail();
      const taken = await registerAccount(testApp);
      expectError(
        await post(
          '/users/me/email',
          { newEmail: uniqueEmail(), password: 'wrong password' },
          account.accessToken,
        ),
        400,
        'WRONG_PASSWORD',
      );
      for (const newEmail of [taken.email.toUpperCase(), account.email]) {
        expectError(
          await post(
            '/users/me/email',
            { newEmail, password: account.password },
            account.accessToken,
          ),
          409,
          'EMAIL_TAKEN',
        );
      }
      expectError(
        await post(
          '/users/me/email',
          { newEmail: 'nope', password: account.password },
          account.accessToken,
        ),
        400,
        'VALIDATION_FAILED',
      );
      expectError(
        await post('/users/me/email', { newEmail: uniqueEmail(), password: 'x' }),
        401,
        'AUTH_REQUIRED',
      );
    });

    it('answers 409 when the new address was taken after the link was sent, and keeps the link', async () => {
      const { account } = await registerWithMail();
      const { newEmail, token } = await requestEmailChange(account, 'contested');
      const squatter = await registerAccount(testApp, { email: newEmail });
      expectError(await post('/auth/email/change/confirm', { token }), 409, 'EMAIL_TAKEN');
      await testApp.http
        .delete('/users/me')
        .set(bearer(squatter.accessToken))
        .send({ password: squatter.password })
        .expect(204);
      await post('/auth/email/change/confirm', { token }).expect(200);
    });
  });

  describe('JSON-RPC', () => {
    it('offers the same flows with the same answers', async () => {
      const { account, mail } = await registerWithMail();
      const verified = await callRpc(testApp, 'auth.email.verify', {
        token: linkToken(mail, 'verify-email'),
      });
      expect(verified.error).toBeUndefined();
      expect(verified.result).toMatchObject({
        message: 'Email verified.',
        user: { id: account.id },
      });
      const again = await callRpc(
        testApp,
        'auth.email.verify.request',
        {},
        bearer(account.accessToken),
      );
      expect(again.error).toMatchObject({ data: { code: 'EMAIL_ALREADY_VERIFIED' } });

      const forgot = await callRpc(testApp, 'auth.password.forgot', { email: account.email });
      expect(forgot.result).toEqual({
        message: 'If an account exists for this email, a reset link was sent.',
      });
      const token = linkToken(await mailServer.waitForMail(account.email, 2), 'reset-password');
      const reset = await callRpc(testApp, 'auth.password.reset', {
        token,
        newPassword: NEW_PASSWORD,
      });
      expect(reset.result).toEqual({ message: 'Password reset. Please log in.' });
      const reused = await callRpc(testApp, 'auth.password.reset', {
        token,
        newPassword: NEW_PASSWORD,
      });
      expect(reused.error).toMatchObject({ data: { code: 'RESET_TOKEN_INVALID' } });
    });
  });

  describe('delivery', () => {
    it('retries a mail the server refused for now, logged with the request that asked for it, and then delivers it', async () => {
      const email = uniqueEmail('refused');
      mailServer.refuse(email);
      const requestId = `mail-retry-${randomUUID()}`;
      const registered = await testApp.http
        .post('/auth/register')
        .set('X-Request-Id', requestId)
        .send({ firstName: 'Ada', lastName: 'Lovelace', email, password: 'correct horse battery' })
        .expect(201);
      const account = { id: registered.body.user.id as string, email };
      const database = testApp.app.get(DataSource);
      const pending = async () =>
        (await database.query(
          `SELECT attempts, last_error AS "lastError", next_attempt_at > now() AS "later"
             FROM mail_jobs WHERE payload->>'userId' = $1`,
          [account.id],
        )) as Array<{ attempts: number; lastError: string | null; later: boolean }>;
      await until(async () => {
        const [job] = await pending();
        return job?.attempts === 1 && job.later;
      }, 10_000);
      expect((await pending())[0].lastError).toContain('451');
      expect(mailServer.mailsTo(account.email)).toEqual([]);
      const failure = await waitForLogLine(
        testApp,
        (line) => line.msg === 'Mail could not be sent; retrying' && line.requestId === requestId,
      );
      expect(failure).toMatchObject({
        kind: 'users.email-verification',
        attempt: 1,
        level: 'warn',
      });
      // Its retry time, brought forward.
      await database.query(
        `UPDATE mail_jobs SET next_attempt_at = now() WHERE payload->>'userId' = $1`,
        [account.id],
      );
      await mailServer.waitForMail(account.email);
      // Deleted once the server has accepted it.
      await until(async () => (await pending()).length === 0, 5000);
    });
  });
});

describe('Accounts by email, other settings', () => {
  let mailServer: TestMailServer;

  beforeAll(async () => {
    mailServer = await TestMailServer.start();
  });

  afterAll(async () => {
    await mailServer?.close();
  });

  it('EMAIL_VERIFICATION=required: no tokens until the address is verified', async () => {
    const testApp = await startTestApp({
      SMTP_URL: mailServer.url,
      EMAIL_VERIFICATION: 'required',
    });
    try {
      const email = uniqueEmail('strict');
      const password = 'correct horse battery';
      const registered = await testApp.http
        .post('/auth/register')
        .send({ firstName: 'Ada', lastName: 'Lovelace', email, password })
        .expect(201);
      expect(registered.body).toEqual({
        message: 'Registered. Check your email to verify your address.',
        user: expect.objectContaining({ email, emailVerifiedAt: null }),
      });
      expectError(
        await testApp.http.post('/auth/login').send({ email, password }),
        403,
        'EMAIL_NOT_VERIFIED',
      );
      // The wrong password still says nothing about verification.
      expectError(
        await testApp.http.post('/auth/login').send({ email, password: 'wrong password' }),
        401,
        'INVALID_CREDENTIALS',
      );
      const token = linkToken(await mailServer.waitForMail(email), 'verify-email');
      await testApp.http.post('/auth/email/verify').send({ token }).expect(200);
      await login(testApp, email, password);
    } finally {
      await testApp.close();
    }
  });

  it('expires links after their lifetime', async () => {
    const testApp = await startTestApp({
      SMTP_URL: mailServer.url,
      EMAIL_TOKEN_TTL: '1s',
      PASSWORD_RESET_TTL: '1s',
    });
    try {
      const account = await registerAccount(testApp);
      const verification = linkToken(await mailServer.waitForMail(account.email), 'verify-email');
      await testApp.http.post('/auth/password/forgot').send({ email: account.email }).expect(202);
      const reset = linkToken(await mailServer.waitForMail(account.email, 2), 'reset-password');
      await sleep(1100);
      expectError(
        await testApp.http.post('/auth/email/verify').send({ token: verification }),
        400,
        'EMAIL_TOKEN_INVALID',
      );
      expectError(
        await testApp.http
          .post('/auth/password/reset')
          .send({ token: reset, newPassword: NEW_PASSWORD }),
        400,
        'RESET_TOKEN_INVALID',
      );
    } finally {
      await testApp.close();
    }
  });

  it('without SMTP_URL, writes each mail as an .eml file to MAIL_OUTBOX_DIR, readable by the service only', async () => {
    const outbox = mkdtempSync(join(tmpdir(), 'tempmessenger-outbox-'));
    const testApp = await startTestApp({ MAIL_OUTBOX_DIR: outbox, PUBLIC_URL });
    try {
      const account = await registerAccount(testApp);
      const files = () => readdirSync(outbox).filter((name) => name.endsWith('.eml'));
      await until(() => files().length === 1, 10_000);
      const path = join(outbox, files()[0]);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const eml = await simpleParser(readFileSync(path));
      expect(eml.to).toMatchObject({ text: account.email });
      expect(eml.subject).toBe('Verify your email address');
      expect(eml.text).toMatch(/https:\/\/chat\.example\.test\/verify-email#token=[\w-]{43}\n/);
      expect(eml.html).toContain('verify-email#token');
    } finally {
      await testApp.close();
    }
  });

  it('a reset on one instance revokes at once what another instance accepted a moment before', async () => {
    const first = await startTestApp({ SMTP_URL: mailServer.url });
    const second = await startTestApp({ SMTP_URL: mailServer.url });
    try {
      const account = await registerAccount(first);
      await mailServer.waitForMail(account.email);
      // Warm the second instance's view of the token.
      await second.http.get('/users/me').set(bearer(account.accessToken)).expect(200);
      await first.http.post('/auth/password/forgot').send({ email: account.email }).expect(202);
      const token = linkToken(await mailServer.waitForMail(account.email, 2), 'reset-password');
      await first.http
        .post('/auth/password/reset')
        .send({ token, newPassword: NEW_PASSWORD })
        .expect(200);
      expectError(
        await second.http.get('/users/me').set(bearer(account.accessToken)),
        401,
        'TOKEN_REVOKED',
      );
    } finally {
      await first.close();
      await second.close();
    }
  });
});
