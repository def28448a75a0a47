import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { UsersService } from '../../src/users';
import {
  bearer,
  NO_CLIENT,
  DIRECT_CALL_ADMIN_ID,
  registerAccount,
  type TestAccount,
  uniqueEmail,
} from './support/accounts';
import { expectError } from './support/expectations';
import { callRpc, expectRpcError, postRpc, rpcCall, type RpcErrorBody } from './support/rpc';
import { useTestApp } from './support/test-app';

const UNKNOWN_ID = '6f1f9a3c-2b7e-4c1d-8e2f-0a9b8c7d6e5f';
const registration = () => ({
  firstName: 'Grace',
  lastName: 'Hopper',
  email: uniqueEmail('rpc'),
  password: 'correct horse battery',
});

describe('JSON-RPC methods on POST /rpc', () => {
  const testApp = useTestApp();
  let account: TestAccount;

  const rpc = (method: string, params?: unknown, headers?: Record<string, string>) =>
    callRpc(testApp, method, params, headers);

  beforeAll(async () => {
    account = await registerAccount(testApp);
  });

  describe('user.register', () => {
    it('creates an account and signs it in, as POST /auth/register answers', async () => {
      const input = registration();
      const { result } = await rpc('user.register', input);
      expect(Object.keys(result).sort()).toEqual(
        ['accessToken', 'expiresIn', 'message', 'refreshToken', 'tokenType', 'user'].sort(),
      );
      expect(result.message).toBe('Successfully registered.');
      expect(result.user).toEqual(expect.objectContaining({ email: input.email, role: 'user' }));
      const me = await testApp.http.get('/users/me').set(bearer(result.accessToken)).expect(200);
      expect(me.body).toEqual(result.user);
    });

    it('refuses a taken email (409 EMAIL_TAKEN) and bad fields (-32602)', async () => {
      const taken = await rpc('user.register', { ...registration(), email: account.email });
      expectRpcError(taken, 409, 'EMAIL_TAKEN', 'User already exists. Please log in.');
      const invalid = await rpc('user.register', { ...registration(), password: 'short' });
      expectRpcError(invalid, -32602, 'VALIDATION_FAILED');
      expect(invalid.error.data.details).toEqual([
        { field: 'password', messages: expect.any(Array) },
      ]);
    });
  });

  describe.each(['user.login', 'user.verify'])('%s', (method) => {
    it('signs in with the right password', async () => {
      const { result } = await rpc(method, { email: account.email, password: account.password });
      expect(result).toEqual(
        expect.objectContaining({
          message: 'Successfully logged in.',
          user: expect.objectContaining({ id: account.id }),
          tokenType: 'Bearer',
        }),
      );
    });

    it('refuses a wrong password, an unknown email and missing fields', async () => {
      const wrong = await rpc(method, { email: account.email, password: 'wrong horse battery' });
      expectRpcError(wrong, 401, 'INVALID_CREDENTIALS', 'Invalid email or password.');
      const unknown = await rpc(method, { email: uniqueEmail(), password: 'whatever pw' });
      expect(unknown.error).toEqual(wrong.error);
      // As passport-local on REST: an empty field opens nothing.
      const empty = await rpc(method, { email: '', password: '' });
      expect(empty.error).toEqual(wrong.error);
      expectRpcError(await rpc(method, { email: account.email }), -32602, 'VALIDATION_FAILED');
    });
  });

  it('user.login refuses a disabled account after the right password (403 USER_DISABLED)', async () => {
    const disabled = await registerAccount(testApp);
    await testApp.app.get(UsersService).disable(disabled.id, DIRECT_CALL_ADMIN_ID, NO_CLIENT);
    const login = await rpc('user.login', { email: disabled.email, password: disabled.password });
    expectRpcError(login, 403, 'USER_DISABLED');
    // Its tokens stopped working at once, through /rpc as through REST.
    expectRpcError(await rpc('user.me', { token: disabled.accessToken }), 401, 'TOKEN_REVOKED');
  });

  describe('auth.refresh', () => {
    it('rotates the pair; a token spent two rotations back is then reuse, which ends the session', async () => {
      const fresh = await registerAccount(testApp);
      const first = await rpc('auth.refresh', { refreshToken: fresh.refreshToken });
      const { result } = await rpc('auth.refresh', { refreshToken: first.result.refreshToken });
      expect(Object.keys(result).sort()).toEqual(
        ['accessToken', 'expiresIn', 'refreshToken', 'tokenType'].sort(),
      );
      // The token rotated away last would be answered again within REFRESH_REUSE_INTERVAL.
      const reused = await rpc('auth.refresh', { refreshToken: fresh.refreshToken });
      expectRpcError(reused, 403, 'REFRESH_REUSED');
      const after = await rpc('auth.refresh', { refreshToken: result.refreshToken });
      expectRpcError(after, 403, 'REFRESH_INVALID');
    });

    it('refuses garbage, an access token, and a missing token', async () => {
      expectRpcError(await rpc('auth.refresh', { refreshToken: 'nope' }), 403, 'REFRESH_INVALID');
      const access = await rpc('auth.refresh', { refreshToken: account.accessToken });
      expectRpcError(access, 403, 'WRONG_TOKEN_TYPE');
      expectRpcError(await rpc('auth.refresh', {}), -32602, 'VALIDATION_FAILED');
    });
  });

  describe('auth.logout', () => {
    it('blacklists the token: refused afterwards through /rpc and REST alike', async () => {
      const user = await registerAccount(testApp);
      const { result } = await rpc('auth.logout', undefined, bearer(user.accessToken));
      expect(result).toEqual({ message: 'Successfully logged out.' });

      const again = await rpc('auth.logout', undefined, bearer(user.accessToken));
      expectRpcError(again, 401, 'TOKEN_REVOKED', 'Token blacklisted. Please log in again.');
      const rest = await testApp.http.get('/users/me').set(bearer(user.accessToken));
      expectError(rest, 401, 'TOKEN_REVOKED', again.error.data.message);
    });

    it('honours a logout made through REST', async () => {
      const user = await registerAccount(testApp);
      await testApp.http.post('/auth/logout').set(bearer(user.accessToken)).expect(200);
      expectRpcError(await rpc('auth.status', { token: user.accessToken }), 401, 'TOKEN_REVOKED');
    });
  });

  it('auth.status answers as GET /auth/status', async () => {
    const { result } = await rpc('auth.status', undefined, bearer(account.accessToken));
    const rest = await testApp.http.get('/auth/status').set(bearer(account.accessToken));
    expect(result).toEqual(rest.body);
  });

  describe('user.me and the access token', () => {
    it('answers as GET /users/me', async () => {
      const { result } = await rpc('user.me', undefined, bearer(account.accessToken));
      const rest = await testApp.http.get('/users/me').set(bearer(account.accessToken));
      expect(result).toEqual(rest.body);
    });

    it('gives every refusal of the REST guard, with its code and message', async () => {
      const secret = testApp.config.jwt.secret;
      const claims = jwt.decode(account.accessToken) as Record<string, unknown>;
      const now = Math.floor(Date.now() / 1000);
      const expired = jwt.sign(
        { ...claims, jti: randomUUID(), iat: now - 60, exp: now - 5 },
        secret,
      );
      const cases: [Record<string, string>, number, string][] = [
        [{}, 401, 'AUTH_REQUIRED'],
        [{ Authorization: 'Basic abc' }, 401, 'TOKEN_MALFORMED'],
        [bearer('not-a-jwt'), 401, 'TOKEN_INVALID'],
        [bearer(expired), 401, 'TOKEN_EXPIRED'],
        [bearer(account.refreshToken), 403, 'WRONG_TOKEN_TYPE'],
      ];
      for (const [headers, status, code] of cases) {
        const rest = await testApp.http.get('/users/me').set(headers);
        expectError(rest, status, code);
        const answer = await rpc('user.me', undefined, headers);
        expectRpcError(answer, status, code, rest.body.message);
      }
    });
  });

  describe('the token param', () => {
    it('authenticates a client that cannot set headers', async () => {
      const { result } = await rpc('user.me', { token: account.accessToken });
      expect(result.id).toBe(account.id);
    });

    it('loses to the Authorization header when both are given', async () => {
      const other = await registerAccount(testApp);
      const both = await rpc('user.me', { token: other.accessToken }, bearer(account.accessToken));
      expect(both.result.id).toBe(account.id);
      const badHeader = await rpc('user.me', { token: account.accessToken }, bearer('not-a-jwt'));
      expectRpcError(badHeader, 401, 'TOKEN_INVALID');
    });

    it('is judged like a header token, and must be a string', async () => {
      expectRpcError(await rpc('user.me', { token: 'a b' }), 401, 'TOKEN_MALFORMED');
      expectRpcError(await rpc('user.me', { token: 'garbage' }), 401, 'TOKEN_INVALID');
      const notString = await rpc('user.me', { token: 42 });
      expectRpcError(notString, -32602, 'VALIDATION_FAILED');
      expect(notString.error.data.details).toEqual([
        { field: 'token', messages: ['token must be a string'] },
      ]);
    });

    it('is ignored by a public method, as a header is on a public route', async () => {
      const { result } = await rpc('message.list', { limit: 1, token: 'garbage' });
      expect(result.items).toEqual(expect.any(Array));
    });
  });

  describe('messages', () => {
    it('message.post, message.get, message.list and message.delete answer as REST', async () => {
      const { result: posted } = await rpc(
        'message.post',
        { message: '  via rpc  ', ttlSeconds: 120 },
        bearer(account.accessToken),
      );
      expect(posted).toEqual(
        expect.objectContaining({ message: 'via rpc', userId: account.id, email: account.email }),
      );
      const { result: got } = await rpc('message.get', { id: posted.id });
      const rest = await testApp.http.get(`/messages/${posted.id}`).expect(200);
      const { expiresInMs: _a, ...gotStable } = got;
      const { expiresInMs: _b, ...restStable } = rest.body;
      expect(gotStable).toEqual(restStable);

      const { result: page } = await rpc('message.list', { limit: 500 });
      expect(page.items.map((item: { id: string }) => item.id)).toContain(posted.id);

      const deleted = await rpc('message.delete', { id: posted.id }, bearer(account.accessToken));
      expect(deleted).toEqual({ jsonrpc: '2.0', result: null, id: 1 });
      expectRpcError(await rpc('message.get', { id: posted.id }), 404, 'MESSAGE_NOT_FOUND');
    });

    it('refuses what REST refuses', async () => {
      const auth = bearer(account.accessToken);
      expectRpcError(
        await rpc('message.post', { message: '   ' }, auth),
        -32602,
        'VALIDATION_FAILED',
      );
      const ttl = await rpc('message.post', { message: 'hi', ttlSeconds: 10 ** 9 }, auth);
      expectRpcError(ttl, -32602, 'VALIDATION_FAILED');
      expectRpcError(await rpc('message.post', { message: 'hi' }), 401, 'AUTH_REQUIRED');
      expectRpcError(await rpc('message.list', { limit: 0 }), -32602, 'VALIDATION_FAILED');
      expectRpcError(await rpc('message.list', { cursor: '!!' }), -32602, 'VALIDATION_FAILED');
      expectRpcError(await rpc('message.get', {}), -32602, 'VALIDATION_FAILED');
      expectRpcError(await rpc('message.get', { id: UNKNOWN_ID }), 404, 'MESSAGE_NOT_FOUND');
      expectRpcError(
        await rpc('message.delete', { id: UNKNOWN_ID }, auth),
        404,
        'MESSAGE_NOT_FOUND',
      );

      const other = await registerAccount(testApp);
      const { result: theirs } = await rpc(
        'message.post',
        { message: 'theirs' },
        bearer(other.accessToken),
      );
      const forbidden = await rpc('message.delete', { id: theirs.id }, auth);
      expectRpcError(
        forbidden,
        403,
        'FORBIDDEN',
        'Only the author or an admin can delete this message.',
      );
    });
  });
});

describe('JSON-RPC: throttles shared with REST', () => {
  const testApp = useTestApp({
    MESSAGE_POST_LIMIT: '3',
    LOGIN_MAX_FAILURES: '2',
    AUTH_IP_LIMIT: '8',
    REDIS_KEY_PREFIX: `tm-test-rpc-throttle-${randomUUID()}:`,
  });

  it('counts posts through REST and /rpc against one MESSAGE_POST_LIMIT', async () => {
    const user = await registerAccount(testApp); // sign-in 1 of AUTH_IP_LIMIT
    await testApp.http
      .post('/messages')
      .set(bearer(user.accessToken))
      .send({ message: 'a' })
      .expect(201);
    const batch = await postRpc(
      testApp,
      [1, 2, 3].map((id) => rpcCall('message.post', { message: `b${id}` }, id)),
      bearer(user.accessToken),
    );
    expect(batch.body[0].result.message).toBe('b1');
    expect(batch.body[1].result.message).toBe('b2');
    expectRpcError(batch.body[2], 429, 'TOO_MANY_REQUESTS');
    expect(batch.body[2].error.data.retryAfterSeconds).toBeGreaterThan(0);
    const rest = await testApp.http
      .post('/messages')
      .set(bearer(user.accessToken))
      .send({ message: 'c' });
    expectError(rest, 429, 'TOO_MANY_REQUESTS');
  });

  it('counts login failures per email across REST and /rpc', async () => {
    const user = await registerAccount(testApp); // sign-in 2
    await testApp.http
      .post('/auth/login')
      .send({ email: user.email, password: 'wrong horse' })
      .expect(401); // 3
    const rpcWrong = await callRpc(testApp, 'user.login', {
      email: user.email,
      password: 'wrong horse',
    }); // 4
    expectRpcError(rpcWrong, 401, 'INVALID_CREDENTIALS');
    const rpcRight = await callRpc(testApp, 'user.verify', {
      email: user.email,
      password: user.password,
    }); // 5
    expectRpcError(rpcRight, 429, 'TOO_MANY_REQUESTS');
    const restRight = await testApp.http
      .post('/auth/login')
      .send({ email: user.email, password: user.password }); // 6
    expectError(restRight, 429, 'TOO_MANY_REQUESTS');
  });

  it('counts every register and login call of a batch against AUTH_IP_LIMIT', async () => {
    // Sign-ins 7 and 8 pass; the third call of the batch is the ninth from this address.
    const batch = await postRpc(
      testApp,
      [1, 2, 3].map((id) => rpcCall('user.register', registration(), id)),
    );
    expect(batch.body[0].result.message).toBe('Successfully registered.');
    expect(batch.body[1].result.message).toBe('Successfully registered.');
    expectRpcError(batch.body[2], 429, 'TOO_MANY_REQUESTS');
    expectError(
      await testApp.http.post('/auth/register').send(registration()),
      429,
      'TOO_MANY_REQUESTS',
    );
    // The limit guards sign-ins only.
    expect((await callRpc(testApp, 'message.list', { limit: 1 })).result).toBeDefined();
  });
});

describe('JSON-RPC: public reads share PUBLIC_READ_LIMIT with REST', () => {
  const LIMIT = 5;
  const testApp = useTestApp({
    PUBLIC_READ_LIMIT: String(LIMIT),
    TRUST_PROXY: '1',
    REDIS_KEY_PREFIX: `tm-test-rpc-reads-${randomUUID()}:`,
  });
  let clients = 0;

  /** Each test reads from an address of its own (behind the trusted proxy), with a full allowance. */
  const newClient = () => ({ 'X-Forwarded-For': `192.0.2.${++clients}` });

  function expectRetryAfter(seconds: number | string | undefined): void {
    expect(Number(seconds)).toBeGreaterThanOrEqual(1);
    expect(Number(seconds)).toBeLessThanOrEqual(60);
  }

  it('counts each message.list and message.get call as one REST read', async () => {
    const client = newClient();
    await testApp.http.get('/messages').set(client).expect(200); // read 1
    const batch = await postRpc(
      testApp,
      [
        rpcCall('message.list', { limit: 1 }, 1), // 2
        rpcCall('message.get', { id: UNKNOWN_ID }, 2), // 3
        rpcCall('message.list', { limit: 1 }, 3), // 4
      ],
      client,
    );
    expect(batch.body[0].result.items).toEqual(expect.any(Array));
    expectRpcError(batch.body[1], 404, 'MESSAGE_NOT_FOUND');
    expect(batch.body[2].result.items).toEqual(expect.any(Array));
    await testApp.http.get(`/messages/${UNKNOWN_ID}`).set(client).expect(404); // 5

    // The sixth read is refused whichever door it comes through.
    const rest = await testApp.http.get('/messages').set(client);
    expectError(rest, 429, 'TOO_MANY_REQUESTS');
    expectRetryAfter(rest.headers['retry-after']);
    const rpc = await postRpc(
      testApp,
      [rpcCall('message.list', {}, 'list'), rpcCall('message.get', { id: UNKNOWN_ID }, 'get')],
      client,
    );
    for (const answer of rpc.body) {
      expectRpcError(answer, 429, 'TOO_MANY_REQUESTS', rest.body.message);
      expectRetryAfter(answer.error.data.retryAfterSeconds);
    }
  });

  it('refuses the read calls of a batch past the limit, as it would the REST requests', async () => {
    const client = newClient();
    const batch = await postRpc(
      testApp,
      Array.from({ length: LIMIT + 3 }, (_, id) => rpcCall('message.list', { limit: 1 }, id)),
      client,
    );
    const answers = batch.body as { id: number; result?: unknown; error?: RpcErrorBody }[];
    expect(answers.slice(0, LIMIT).every((answer) => answer.result !== undefined)).toBe(true);
    for (const answer of answers.slice(LIMIT)) expectRpcError(answer, 429, 'TOO_MANY_REQUESTS');
    expectError(await testApp.http.get('/messages').set(client), 429, 'TOO_MANY_REQUESTS');
    // The limit is per address: another client reads on.
    await testApp.http.get('/messages').set(newClient()).expect(200);
  });

  it('does not run read notifications: a batch of 50 of them reads nothing', async () => {
    const client = newClient();
    const notifications = Array.from({ length: 50 }, (_, n) =>
      n % 2 === 0
        ? rpcCall('message.list', { limit: 10 })
        : rpcCall('message.get', { id: UNKNOWN_ID }),
    );
    expect((await postRpc(testApp, notifications, client)).status).toBe(204);
    // The whole allowance is left.
    for (let read = 0; read < LIMIT; read++) {
      await testApp.http.get('/messages?limit=1').set(client).expect(200);
    }
    expectError(await testApp.http.get('/messages').set(client), 429, 'TOO_MANY_REQUESTS');
  });
});
