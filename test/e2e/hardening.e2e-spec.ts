import { bearer, promoteToAdmin, registerAccount } from './support/accounts';
import { expectError } from './support/expectations';
import { startTestApp, type TestApp } from './support/test-app';

describe('hardening against hostile input and races', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp();
    await testApp.app.listen(0, '127.0.0.1');
  });

  afterAll(() => testApp.close());

  it('reads login credentials from the body only, never from the query string', async () => {
    const account = await registerAccount(testApp);
    const response = await testApp.http
      .post('/auth/login')
      .query({ password: account.password, email: account.email })
      .send({ email: account.email, password: '' });
    expectError(response, 401, 'INVALID_CREDENTIALS', 'Invalid email or password.');
  });

  it('answers a NUL in the login email as invalid credentials, not a 500', async () => {
    const response = await testApp.http
      .post('/auth/login')
      .send({ email: 'ada\u0000@example.com', password: 'whatever it is' });
    expectError(response, 401, 'INVALID_CREDENTIALS');
  });

  it('refuses a deeply nested body with 400, not a stack overflow', async () => {
    const nested = `${'['.repeat(3000)}${']'.repeat(3000)}`;
    const response = await testApp.http
      .post('/auth/register')
      .set('Content-Type', 'application/json')
      .send(
        `{"firstName":${nested},"lastName":"L","email":"deep@example.com","password":"long enough"}`,
      );
    expectError(response, 400, 'VALIDATION_FAILED');
  });

  // Found by the fuzz suite (test/e2e/fuzz): the email validator threw on it (500).
  it('refuses a lone surrogate in a field with 400, and registers nothing', async () => {
    const email = `lone-${Date.now()}\ud800@example.com`;
    const response = await testApp.http
      .post('/auth/register')
      .set('Content-Type', 'application/json')
      .send(
        `{"firstName":"Ada","lastName":"L","email":${JSON.stringify(email)},"password":"long enough pw"}`,
      );
    expectError(response, 400, 'VALIDATION_FAILED');
    expect(response.body.details).toEqual([
      { field: 'email', messages: ['email must be well-formed Unicode text'] },
    ]);
    const login = await testApp.http
      .post('/auth/login')
      .send({ email: email.replace('\ud800', ''), password: 'long enough pw' });
    expectError(login, 401, 'INVALID_CREDENTIALS');
  });

  // Found by the fuzz suite: class-transformer skipped these keys, so they passed as known fields.
  it.each(['toString', 'valueOf', 'hasOwnProperty'])(
    'refuses the inherited name %s as an unknown field, changing nothing',
    async (key) => {
      const account = await registerAccount(testApp);
      const response = await testApp.http
        .patch('/users/me')
        .set(bearer(account.accessToken))
        .send({ firstName: 'Changed', [key]: 0 });
      expectError(response, 400, 'VALIDATION_FAILED');
      const me = await testApp.http.get('/users/me').set(bearer(account.accessToken)).expect(200);
      expect(me.body.firstName).not.toBe('Changed');
    },
  );

  it('never lets a current password match by its 72-byte prefix or past a NUL', async () => {
    const password = 'p'.repeat(72);
    const account = await registerAccount(testApp, { password });
    const change = (currentPassword: string) =>
      testApp.http
        .post('/users/me/password')
        .set(bearer(account.accessToken))
        .send({ currentPassword, newPassword: 'a brand new password' });
    expectError(await change(`${password}x`), 400, 'WRONG_PASSWORD');
    expectError(await change(`${password}\u0000x`), 400, 'VALIDATION_FAILED');
    expect((await testApp.http.get('/users/me').set(bearer(account.accessToken))).status).toBe(200);
  });

  it('keeps a disable when renames race it', async () => {
    const admin = await registerAccount(testApp);
    await promoteToAdmin(testApp, admin.email);
    for (let round = 0; round < 5; round++) {
      const target = await registerAccount(testApp);
      await Promise.all([
        ...Array.from({ length: 5 }, (_, i) =>
          testApp.http
            .patch('/users/me')
            .set(bearer(target.accessToken))
            .send({ firstName: `Name ${i}` }),
        ),
        testApp.http.post(`/users/${target.id}/disable`).set(bearer(admin.accessToken)),
      ]);
      const after = await testApp.http
        .get(`/users/${target.id}`)
        .set(bearer(admin.accessToken))
        .expect(200);
      expect(after.body.disabledAt).not.toBeNull();
    }
  });
});

describe('behind a trusted proxy', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({ TRUST_PROXY: '1' });
  });

  afterAll(() => testApp.close());

  it('records the forwarded address, and no address when the header holds no IP', async () => {
    const register = (forwardedFor: string) =>
      testApp.http
        .post('/auth/register')
        .set('X-Forwarded-For', forwardedFor)
        .send({
          firstName: 'Ada',
          lastName: 'Lovelace',
          email: `proxy-${Math.random().toString(36).slice(2)}@example.com`,
          password: 'correct horse battery',
        })
        .expect(201);
    const sessionsOf = async (token: string) =>
      (await testApp.http.get('/auth/sessions').set(bearer(token)).expect(200)).body.items;

    const forwarded = await register('203.0.113.7');
    expect((await sessionsOf(forwarded.body.accessToken))[0].ip).toBe('203.0.113.7');
    const forged = await register('x'.repeat(200));
    expect((await sessionsOf(forged.body.accessToken))[0].ip).toBeNull();
  });
});

describe('with Redis unreachable', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_CONNECT_TIMEOUT: '1s' });
  });

  afterAll(() => testApp.close());

  it('answers login and registration with 503, never 500', async () => {
    expectError(
      await testApp.http
        .post('/auth/login')
        .send({ email: 'a@example.com', password: 'whatever it is' }),
      503,
      'SERVICE_UNAVAILABLE',
    );
    expectError(
      await testApp.http.post('/auth/register').send({
        firstName: 'Ada',
        lastName: 'Lovelace',
        email: 'redis-down@example.com',
        password: 'correct horse battery',
      }),
      503,
      'SERVICE_UNAVAILABLE',
    );
    expect((await testApp.http.get('/messages')).status).toBe(503);
  });
});

describe('guessing the current password with a stolen token', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({
      LOGIN_MAX_FAILURES: '3',
      REDIS_KEY_PREFIX: `tm-test-password-guess-${Math.random().toString(36).slice(2)}:`,
    });
  });

  afterAll(() => testApp.close());

  it('is limited like logins: past the limit even the right password gets 429', async () => {
    const account = await registerAccount(testApp);
    const tryPassword = (currentPassword: string) =>
      testApp.http
        .post('/users/me/password')
        .set(bearer(account.accessToken))
        .send({ currentPassword, newPassword: 'a brand new password' });
    for (let i = 0; i < 3; i++) expectError(await tryPassword(`guess ${i}`), 400, 'WRONG_PASSWORD');
    const throttled = await tryPassword(account.password);
    expectError(throttled, 429, 'TOO_MANY_REQUESTS');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
  });
});
