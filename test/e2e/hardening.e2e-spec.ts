import { Agent, get } from 'node:http';
import { connect, type Socket } from 'node:net';
import { DataSource } from 'typeorm';
import { bearer, promoteToAdmin, registerAccount, uniqueEmail } from './support/accounts';
import { openEventStream } from './support/event-stream';
import { expectError } from './support/expectations';
import { sleep } from './support/polling';
import { useTestApp } from './support/test-app';

describe('hardening against hostile input and races', () => {
  const testApp = useTestApp({}, { listen: true });

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
  const testApp = useTestApp({ TRUST_PROXY: '1' });

  const register = (forwardedFor: string, email = uniqueEmail('proxy')) =>
    testApp.http
      .post('/auth/register')
      .set('X-Forwarded-For', forwardedFor)
      .send({ firstName: 'Ada', lastName: 'Lovelace', email, password: 'correct horse battery' })
      .expect(201);
  const sessionsOf = async (token: string) =>
    (await testApp.http.get('/auth/sessions').set(bearer(token)).expect(200)).body.items;

  it('records the forwarded address, and no address when the header holds no IP', async () => {
    const forwarded = await register('203.0.113.7');
    expect((await sessionsOf(forwarded.body.accessToken))[0].ip).toBe('203.0.113.7');
    const forged = await register('x'.repeat(200));
    expect((await sessionsOf(forged.body.accessToken))[0].ip).toBeNull();
  });

  it('records an IPv6 address without its zone id, however long, and the account logs in', async () => {
    const forwardedFor = `2001:DB8::7%${'z'.repeat(200)}`;
    const email = uniqueEmail('zone');
    const registered = await register(forwardedFor, email);
    const loggedIn = await testApp.http
      .post('/auth/login')
      .set('X-Forwarded-For', forwardedFor)
      .send({ email, password: 'correct horse battery' })
      .expect(200);
    const sessions = await sessionsOf(loggedIn.body.accessToken);
    expect(sessions.map((session: { ip: unknown }) => session.ip)).toEqual([
      '2001:db8::7',
      '2001:db8::7',
    ]);
    await testApp.http.get('/users/me').set(bearer(registered.body.accessToken)).expect(200);
  });

  it('records an IPv4-mapped IPv6 address as the IPv4 address', async () => {
    const registered = await register('::ffff:203.0.113.9');
    expect((await sessionsOf(registered.body.accessToken))[0].ip).toBe('203.0.113.9');
  });
});

describe('a registration whose session cannot be stored', () => {
  const testApp = useTestApp();

  it('leaves no account behind: the same email registers once the fault is gone', async () => {
    const db = testApp.app.get(DataSource);
    const body = {
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: uniqueEmail('half'),
      password: 'correct horse battery',
    };
    // A session insert that fails after the account's insert succeeded.
    await db.query(
      `ALTER TABLE sessions ADD CONSTRAINT refused_by_test
       CHECK (user_agent IS DISTINCT FROM 'refused-by-test') NOT VALID`,
    );
    try {
      const refused = await testApp.http
        .post('/auth/register')
        .set('User-Agent', 'refused-by-test')
        .send(body);
      expectError(refused, 500, 'INTERNAL_ERROR', 'Internal server error.');
    } finally {
      await db.query('ALTER TABLE sessions DROP CONSTRAINT refused_by_test');
    }
    const users = await db.query('SELECT 1 FROM users WHERE email = $1', [body.email]);
    expect(users).toHaveLength(0);
    await testApp.http.post('/auth/register').send(body).expect(201);
  });
});

/** What a raw connection received, once the server closed it (or `waitMs` passed). */
function readUntilClosed(
  socket: Socket,
  waitMs: number,
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    let text = '';
    const timer = setTimeout(() => resolve({ text, closed: false }), waitMs);
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
  });
}

function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('slow clients', () => {
  const REQUEST_TIMEOUT_MS = 2000;
  const testApp = useTestApp({ HTTP_REQUEST_TIMEOUT: `${REQUEST_TIMEOUT_MS / 1000}s` });
  let url: string;

  beforeAll(async () => {
    url = await testApp.listen();
  });

  it('cuts off a body that trickles in with 408 and the error body, and closes the connection', async () => {
    const socket = await openSocket(url);
    const started = Date.now();
    socket.write(
      'POST /auth/login HTTP/1.1\r\nHost: localhost\r\n' +
        'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    );
    const trickle = setInterval(() => socket.writable && socket.write(' '), 1000);
    try {
      const { text, closed } = await readUntilClosed(socket, REQUEST_TIMEOUT_MS + 5000);
      const elapsed = Date.now() - started;
      expect(closed).toBe(true);
      expect(elapsed).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
      // Node looks for overdue requests once a second.
      expect(elapsed).toBeLessThan(REQUEST_TIMEOUT_MS + 1500);
      const [head, body] = text.split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(head).toMatch(/\r\nContent-Type: application\/json; charset=utf-8(\r\n|$)/);
      expect(JSON.parse(body)).toEqual({
        statusCode: 408,
        error: 'Request Timeout',
        code: 'REQUEST_TIMEOUT',
        message: 'The request was not received in time.',
      });
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
  });

  it('keeps a keep-alive connection and a quiet live stream open past the deadline', async () => {
    const stream = await openEventStream(`${url}/messages/stream`);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const healthOnce = () =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const request = get(`${url}/health`, { agent }, (response) => {
          response.resume();
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, reused: request.reusedSocket }),
          );
        });
        request.on('error', reject);
      });
    try {
      expect(await healthOnce()).toEqual({ status: 200, reused: false });
      await sleep(REQUEST_TIMEOUT_MS + 1500);
      expect(await healthOnce()).toEqual({ status: 200, reused: true });

      const account = await registerAccount(testApp);
      const posted = await testApp.http
        .post('/messages')
        .set(bearer(account.accessToken))
        .send({ message: 'Still listening' })
        .expect(201);
      const event = await stream.waitFor((candidate) => candidate.event === 'message.created');
      expect(JSON.parse(event.data).id).toBe(posted.body.id);
    } finally {
      agent.destroy();
      await stream.close();
    }
  });
});

describe('a cap on open connections', () => {
  const testApp = useTestApp({ HTTP_MAX_CONNECTIONS: '2' });
  let url: string;

  beforeAll(async () => {
    url = await testApp.listen();
  });

  it('closes connections past HTTP_MAX_CONNECTIONS at once, and serves those it holds', async () => {
    const held = [await openSocket(url), await openSocket(url)];
    try {
      const refused = await openSocket(url);
      expect(await readUntilClosed(refused, 2000)).toEqual({ text: '', closed: true });

      held[0].write('GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      const { text } = await readUntilClosed(held[0], 5000);
      expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);

      // A freed place takes a new connection.
      const next = await openSocket(url);
      next.write('GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      expect((await readUntilClosed(next, 5000)).text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });
});

describe('with Redis unreachable', () => {
  const testApp = useTestApp({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_CONNECT_TIMEOUT: '1s' });

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
  const testApp = useTestApp({
    LOGIN_MAX_FAILURES: '3',
    REDIS_KEY_PREFIX: `tm-test-password-guess-${Math.random().toString(36).slice(2)}:`,
  });

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
