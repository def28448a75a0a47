import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Response } from 'supertest';
import { bearer, login, registerAccount, type TestAccount } from './support/accounts';
import { expectError, expectValidationFailed } from './support/expectations';
import { ISO_UTC, UUID } from './support/formats';
import { sleep } from './support/polling';
import { type AppUnderTest, useTestApp } from './support/test-app';
import { USER_FIELDS } from './support/shapes';
import {
  flushTestRedis,
  type TestRedis,
  testRedisClient,
  testRedisSize,
} from './support/test-redis';

const MESSAGES = {
  AUTH_REQUIRED: 'Provide a valid auth token.',
  TOKEN_MALFORMED: 'Bearer token malformed.',
  TOKEN_INVALID: 'Invalid token. Please log in again.',
  TOKEN_EXPIRED: 'Signature expired. Please log in again.',
  TOKEN_REVOKED: 'Token blacklisted. Please log in again.',
} as const;

type TokenFailure = keyof typeof MESSAGES;

interface TokenPairBody {
  accessToken: string;
  refreshToken: string;
}

const PAIR_KEYS = ['accessToken', 'expiresIn', 'refreshToken', 'tokenType'];
const SESSION_ITEM_KEYS = [
  'createdAt',
  'current',
  'expiresAt',
  'id',
  'ip',
  'lastUsedAt',
  'userAgent',
];

/** A 401 of the token table: exact body and message, and the `WWW-Authenticate` challenge. */
function expectTokenFailure(response: Response, code: TokenFailure): void {
  expectError(response, 401, code, MESSAGES[code]);
  const challenge = response.headers['www-authenticate'];
  expect(challenge).toMatch(/^Bearer\b/);
  if (code !== 'AUTH_REQUIRED' && code !== 'TOKEN_MALFORMED') {
    expect(challenge).toContain('error="invalid_token"');
  }
}

function expectWrongTokenType(response: Response): void {
  expectError(response, 403, 'WRONG_TOKEN_TYPE', 'Do not use refresh token.');
}

interface Claims {
  sub?: string;
  sid?: string;
  jti?: string;
  typ?: string;
  iat?: number;
  exp?: number;
  iss?: string;
  aud?: string;
  [claim: string]: unknown;
}

function claimsOf(token: string): Claims {
  return jwt.decode(token) as Claims;
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function unsignedToken(payload: Claims): string {
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`;
}

describe('Auth tokens', () => {
  const testApp = useTestApp({}, { listen: true });

  const me = (token: string) => testApp.http.get('/users/me').set(bearer(token));
  const status = (token: string) => testApp.http.get('/auth/status').set(bearer(token));
  const refresh = (refreshToken: unknown) =>
    testApp.http.post('/auth/refresh').send({ refreshToken });
  const logout = (token: string) => testApp.http.post('/auth/logout').set(bearer(token));
  const sessionsOf = (token: string) => testApp.http.get('/auth/sessions').set(bearer(token));
  const endSession = (token: string, id: string) =>
    testApp.http.delete(`/auth/sessions/${id}`).set(bearer(token));

  /** Signs claims the way the service would, unless the options say otherwise. */
  function sign(
    payload: Claims,
    options: jwt.SignOptions = {},
    key = testApp.config.jwt.secret,
  ): string {
    return jwt.sign(payload, key, { algorithm: 'HS256', ...options });
  }

  /** The claims of a real access token, with a fresh jti so nothing about it is revoked. */
  function accessClaims(account: TestAccount): Claims {
    return { ...claimsOf(account.accessToken), jti: randomUUID() };
  }

  describe('the Authorization header', () => {
    let account: TestAccount;

    beforeAll(async () => {
      account = await registerAccount(testApp);
    });

    describe.each(['/users/me', '/auth/status'])('on GET %s', (route) => {
      it('answers 401 AUTH_REQUIRED with `WWW-Authenticate: Bearer` without a header', async () => {
        const response = await testApp.http.get(route);
        expectTokenFailure(response, 'AUTH_REQUIRED');
        expect(response.headers['www-authenticate']).toBe('Bearer');
      });

      it.each([
        ['Bearer', () => 'Bearer'],
        ['Bearer a b', () => 'Bearer a b'],
        ['Basic xyz', () => 'Basic xyz'],
        ['Basic <valid token>', (token: string) => `Basic ${token}`],
        ['<valid token> without a scheme', (token: string) => token],
        ['two spaces', (token: string) => `Bearer  ${token}`],
        ['Bearer <token> <token>', (token: string) => `Bearer ${token} ${token}`],
        ['Bearer\\t<token>', (token: string) => `Bearer\t${token}`],
      ])('answers 401 TOKEN_MALFORMED for %s', async (_label, header) => {
        const response = await testApp.http
          .get(route)
          .set('Authorization', header(account.accessToken));
        expectTokenFailure(response, 'TOKEN_MALFORMED');
      });

      it('answers 401 TOKEN_MALFORMED for an empty header', async () => {
        const response = await testApp.http.get(route).set('Authorization', '');
        expectTokenFailure(response, 'TOKEN_MALFORMED');
      });

      it.each(['bearer', 'BEARER', 'BeArEr'])(
        'matches the scheme %s case-insensitively',
        async (scheme) => {
          const response = await testApp.http
            .get(route)
            .set('Authorization', `${scheme} ${account.accessToken}`);
          expect(response.status).toBe(200);
        },
      );

      it('answers 401 TOKEN_INVALID with error="invalid_token" for `Bearer not-a-jwt`', async () => {
        const response = await testApp.http.get(route).set('Authorization', 'Bearer not-a-jwt');
        expectTokenFailure(response, 'TOKEN_INVALID');
        expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
      });

      it('answers 401 TOKEN_INVALID for a token with a flipped signature byte', async () => {
        const [header, payload, signature] = account.accessToken.split('.');
        const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
        const response = await testApp.http
          .get(route)
          .set(bearer(`${header}.${payload}.${flipped}`));
        expectTokenFailure(response, 'TOKEN_INVALID');
      });
    });
  });

  describe('forged tokens', () => {
    let account: TestAccount;

    beforeAll(async () => {
      account = await registerAccount(testApp);
    });

    it('accepts a token re-signed with the right secret and claims (the forging is sound)', async () => {
      const response = await me(sign(accessClaims(account)));
      expect(response.status).toBe(200);
      expect(response.body.id).toBe(account.id);
    });

    const forgeries: [string, (claims: Claims) => string][] = [
      ['alg "none"', (claims) => unsignedToken(claims)],
      ['alg "none" with a signature part', (claims) => `${unsignedToken(claims)}c2ln`],
      [
        'another secret',
        (claims) => sign(claims, {}, 'another-secret-that-is-also-32-characters-long'),
      ],
      ['HS512 with the right secret', (claims) => sign(claims, { algorithm: 'HS512' })],
      ['HS384 with the right secret', (claims) => sign(claims, { algorithm: 'HS384' })],
      ['a wrong `iss`', (claims) => sign({ ...claims, iss: 'someone-else' })],
      ['a wrong `aud`', (claims) => sign({ ...claims, aud: 'someone-else' })],
      ['no `iss`', ({ iss: _iss, ...claims }) => sign(claims)],
      ['no `aud`', ({ aud: _aud, ...claims }) => sign(claims)],
      ['no `exp`', ({ exp: _exp, ...claims }) => sign(claims)],
      ['no `typ`', ({ typ: _typ, ...claims }) => sign(claims)],
      ['an unknown `typ`', (claims) => sign({ ...claims, typ: 'id' })],
      ['`typ` "ACCESS"', (claims) => sign({ ...claims, typ: 'ACCESS' })],
      ['no `sid`', ({ sid: _sid, ...claims }) => sign(claims)],
      ['no `sub`', ({ sub: _sub, ...claims }) => sign(claims)],
      ['no `jti`', ({ jti: _jti, ...claims }) => sign(claims)],
    ];

    it.each(forgeries)('answers 401 TOKEN_INVALID for a token with %s', async (_label, forge) => {
      const token = forge(accessClaims(account));
      expectTokenFailure(await me(token), 'TOKEN_INVALID');
      expectTokenFailure(await status(token), 'TOKEN_INVALID');
    });

    // Found by the fuzz suite: logging out such a token stored an invalid date (500).
    it.each([1e13, 8.64e12 + 1, 1e300])(
      'answers 401 TOKEN_INVALID for a validly signed token whose `exp` is %d, which no date holds',
      async (exp) => {
        const token = sign({ ...accessClaims(account), exp });
        expectTokenFailure(await logout(token), 'TOKEN_INVALID');
        expectTokenFailure(await me(token), 'TOKEN_INVALID');
      },
    );

    it('answers 401 TOKEN_EXPIRED for a validly signed token past its `exp` and the leeway', async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = sign({ ...accessClaims(account), iat: now - 60, exp: now - 5 });
      expectTokenFailure(await me(token), 'TOKEN_EXPIRED');
    });

    it('rejects a well-signed token of a session that does not exist', async () => {
      const response = await me(sign({ ...accessClaims(account), sid: randomUUID() }));
      expect(response.status).toBe(401);
      expect(['TOKEN_REVOKED', 'TOKEN_INVALID']).toContain(response.body.code);
    });

    it("rejects a well-signed token whose `sub` is not its session's owner", async () => {
      const other = await registerAccount(testApp);
      const response = await me(sign({ ...accessClaims(account), sub: other.id }));
      expect(response.status).toBe(401);
      expect(['TOKEN_REVOKED', 'TOKEN_INVALID']).toContain(response.body.code);
    });
  });

  describe('token types', () => {
    let account: TestAccount;

    beforeAll(async () => {
      account = await registerAccount(testApp);
    });

    it('answers 403 WRONG_TOKEN_TYPE "Do not use refresh token." for a refresh token on a protected route', async () => {
      expectWrongTokenType(await me(account.refreshToken));
      expectWrongTokenType(await status(account.refreshToken));
    });

    it('answers 403 WRONG_TOKEN_TYPE for an access token sent to POST /auth/refresh', async () => {
      const response = await refresh(account.accessToken);
      expectError(response, 403, 'WRONG_TOKEN_TYPE');
      // The refresh token itself was not spent by the failed attempt.
      expect((await refresh(account.refreshToken)).status).toBe(200);
    });
  });

  describe('POST /auth/refresh', () => {
    it.each([
      ['a missing refreshToken', {}],
      ['a numeric refreshToken', { refreshToken: 123 }],
      ['a null refreshToken', { refreshToken: null }],
      ['an object refreshToken', { refreshToken: { token: 'x' } }],
    ])('answers 400 VALIDATION_FAILED for %s', async (_label, body) => {
      const response = await testApp.http.post('/auth/refresh').send(body);
      expectValidationFailed(response, 'refreshToken');
      expect(response.headers['cache-control']).toBe('no-store');
    });

    it.each(['garbage', 'a.b.c', 'not-a-jwt'])(
      'answers 403 REFRESH_INVALID for the refresh token %p',
      async (token) => {
        expectError(await refresh(token), 403, 'REFRESH_INVALID');
      },
    );

    it('answers 403 REFRESH_INVALID for forged refresh tokens', async () => {
      const account = await registerAccount(testApp);
      const claims = claimsOf(account.refreshToken);
      const now = Math.floor(Date.now() / 1000);
      const forged = [
        unsignedToken(claims),
        sign(claims, { algorithm: 'HS512' }),
        sign(claims, {}, 'another-secret-that-is-also-32-characters-long'),
        sign({ ...claims, iss: 'someone-else' }),
        sign({ ...claims, aud: 'someone-else' }),
        sign({ ...claims, iat: now - 120, exp: now - 5 }),
        sign((({ typ: _typ, ...rest }) => rest)(claims)),
      ];
      for (const token of forged) {
        expectError(await refresh(token), 403, 'REFRESH_INVALID');
      }
      // None of them rotated or revoked the session: the real refresh token still works.
      expect((await refresh(account.refreshToken)).status).toBe(200);
    });

    it('rotates the pair: a new pair that works, `Cache-Control: no-store`, exactly the pair fields', async () => {
      const account = await registerAccount(testApp);
      const response = await refresh(account.refreshToken);
      expect(response.status).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(Object.keys(response.body).sort()).toEqual(PAIR_KEYS);
      expect(response.body).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: testApp.config.jwt.accessTtlSeconds,
      });
      expect(response.body.expiresIn).toBe(900);
      expect(response.body.refreshToken).not.toBe(account.refreshToken);
      expect(response.body.accessToken).not.toBe(account.accessToken);

      const newAccess = claimsOf(response.body.accessToken);
      const oldAccess = claimsOf(account.accessToken);
      expect(newAccess.sid).toBe(oldAccess.sid);
      expect(newAccess.sub).toBe(account.id);
      expect(newAccess.typ).toBe('access');

      const meResponse = await me(response.body.accessToken);
      expect(meResponse.status).toBe(200);
      expect(meResponse.body.id).toBe(account.id);
      // The new refresh token rotates again.
      expect((await refresh(response.body.refreshToken)).status).toBe(200);
    });

    it('answers 403 REFRESH_REUSED for a rotated-away refresh token and revokes the whole session', async () => {
      const account = await registerAccount(testApp);
      const other = await login(testApp, account.email, account.password);
      const first = (await refresh(account.refreshToken).expect(200)).body;
      const second = (await refresh(first.refreshToken).expect(200)).body;
      // Cache the newest token's state, so the revocation must overwrite it.
      expect((await me(second.accessToken)).status).toBe(200);

      const reused = await refresh(account.refreshToken);
      expectError(reused, 403, 'REFRESH_REUSED');
      expect(reused.headers['cache-control']).toBe('no-store');

      expectTokenFailure(await me(account.accessToken), 'TOKEN_REVOKED');
      expectTokenFailure(await me(first.accessToken), 'TOKEN_REVOKED');
      expectTokenFailure(await me(second.accessToken), 'TOKEN_REVOKED');
      expectTokenFailure(await status(second.accessToken), 'TOKEN_REVOKED');
      expectError(await refresh(second.refreshToken), 403, 'REFRESH_INVALID');

      // Only that session: the user's other session still works.
      expect((await me(other.accessToken)).status).toBe(200);
      expect((await refresh(other.refreshToken)).status).toBe(200);
    });

    it('answers two concurrent refreshes with one token both 200, with the same successor', async () => {
      const account = await registerAccount(testApp);
      for (let round = 0; round < 5; round++) {
        const pair = await login(testApp, account.email, account.password);
        const responses = await Promise.all([
          refresh(pair.refreshToken),
          refresh(pair.refreshToken),
        ]);
        const statuses = responses.map((response) => response.status);
        expect({ round, statuses }).toEqual({ round, statuses: [200, 200] });
        const [first, second] = responses.map((response) => response.body as TokenPairBody);
        expect(second.refreshToken).toBe(first.refreshToken);
        expect(first.refreshToken).not.toBe(pair.refreshToken);
        expect((await me(first.accessToken)).status).toBe(200);
        expect((await me(second.accessToken)).status).toBe(200);
      }
    });
  });

  describe('POST /auth/refresh: the reuse interval (REFRESH_REUSE_INTERVAL=10s)', () => {
    it('answers the just-rotated token again with exactly the same refresh token and a working access token', async () => {
      const account = await registerAccount(testApp);
      const rotated = (await refresh(account.refreshToken).expect(200)).body as TokenPairBody;
      // The rotated session is cached, so the answer must not disturb it.
      expect((await me(rotated.accessToken)).status).toBe(200);

      const again = await refresh(account.refreshToken);
      expect(again.status).toBe(200);
      expect(again.headers['cache-control']).toBe('no-store');
      expect(Object.keys(again.body).sort()).toEqual(PAIR_KEYS);
      expect(again.body.refreshToken).toBe(rotated.refreshToken);
      expect(again.body.accessToken).not.toBe(rotated.accessToken);
      expect(claimsOf(again.body.accessToken).sid).toBe(claimsOf(account.accessToken).sid);
      expect((await me(again.body.accessToken)).status).toBe(200);
      // Nothing was revoked, and the successor still rotates once.
      expect((await me(account.accessToken)).status).toBe(200);
      expect((await me(rotated.accessToken)).status).toBe(200);
      const next = (await refresh(rotated.refreshToken).expect(200)).body as TokenPairBody;
      expect(next.refreshToken).not.toBe(rotated.refreshToken);
    });

    it('answers 403 REFRESH_REUSED for a token two rotations back, and revokes the session', async () => {
      const account = await registerAccount(testApp);
      const first = (await refresh(account.refreshToken).expect(200)).body as TokenPairBody;
      const second = (await refresh(first.refreshToken).expect(200)).body as TokenPairBody;
      expect((await me(second.accessToken)).status).toBe(200);

      expectError(await refresh(account.refreshToken), 403, 'REFRESH_REUSED');
      expectTokenFailure(await me(second.accessToken), 'TOKEN_REVOKED');
      expectError(await refresh(second.refreshToken), 403, 'REFRESH_INVALID');
      // Once revoked, even the token the last rotation replaced is merely invalid.
      expectError(await refresh(first.refreshToken), 403, 'REFRESH_INVALID');
    });
  });

  describe('POST /auth/logout', () => {
    it('logs out: 200, then the token is 401 TOKEN_REVOKED, a second logout too, and the refresh token 403', async () => {
      const account = await registerAccount(testApp);
      const other = await login(testApp, account.email, account.password);
      // Use the token first, so its state is cached before the logout.
      expect((await me(account.accessToken)).status).toBe(200);

      const response = await logout(account.accessToken);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ message: 'Successfully logged out.' });
      expect(response.headers['cache-control']).toBe('no-store');

      expectTokenFailure(await me(account.accessToken), 'TOKEN_REVOKED');
      expectTokenFailure(await status(account.accessToken), 'TOKEN_REVOKED');
      const second = await logout(account.accessToken);
      expectTokenFailure(second, 'TOKEN_REVOKED');
      expect(second.headers['cache-control']).toBe('no-store');
      expectError(await refresh(account.refreshToken), 403, 'REFRESH_INVALID');

      // The user's other session is untouched.
      expect((await me(other.accessToken)).status).toBe(200);
    });

    it('rejects an access token minted by a refresh of a logged-out session', async () => {
      const account = await registerAccount(testApp);
      const rotated = (await refresh(account.refreshToken).expect(200)).body;
      await logout(account.accessToken).expect(200);
      expectTokenFailure(await me(rotated.accessToken), 'TOKEN_REVOKED');
      expectError(await refresh(rotated.refreshToken), 403, 'REFRESH_INVALID');
    });

    it('needs an access token', async () => {
      expectTokenFailure(await testApp.http.post('/auth/logout'), 'AUTH_REQUIRED');
      const account = await registerAccount(testApp);
      expectWrongTokenType(await logout(account.refreshToken));
    });
  });

  describe('POST /auth/logout-all', () => {
    it('ends every session of the caller, counts them all, and every token stops', async () => {
      const account = await registerAccount(testApp);
      const bystander = await registerAccount(testApp);
      const pairs = [
        { accessToken: account.accessToken, refreshToken: account.refreshToken },
        await login(testApp, account.email, account.password),
        await login(testApp, account.email, account.password),
        await login(testApp, account.email, account.password),
      ];
      for (const pair of pairs) expect((await me(pair.accessToken)).status).toBe(200);

      const response = await testApp.http
        .post('/auth/logout-all')
        .set(bearer(pairs[2].accessToken));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        message: 'Successfully logged out of all sessions.',
        revokedSessions: 4,
      });
      expect(response.headers['cache-control']).toBe('no-store');

      for (const pair of pairs) {
        expectTokenFailure(await me(pair.accessToken), 'TOKEN_REVOKED');
        expectError(await refresh(pair.refreshToken), 403, 'REFRESH_INVALID');
      }
      expect((await me(bystander.accessToken)).status).toBe(200);

      // A new login opens a new session that works.
      const fresh = await login(testApp, account.email, account.password);
      expect((await me(fresh.accessToken)).status).toBe(200);
      expect((await sessionsOf(fresh.accessToken)).body.items).toHaveLength(1);
    });
  });

  describe('GET /auth/status', () => {
    it('answers the user and the session of the token, with exactly the documented keys', async () => {
      const account = await registerAccount(testApp, { firstName: 'Grace', lastName: 'Hopper' });
      const response = await status(account.accessToken);
      expect(response.status).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(Object.keys(response.body).sort()).toEqual(['session', 'user']);
      expect(Object.keys(response.body.user).sort()).toEqual(USER_FIELDS);
      expect(Object.keys(response.body.session).sort()).toEqual(['createdAt', 'expiresAt', 'id']);
      expect(response.body.user).toEqual({
        id: account.id,
        email: account.email,
        firstName: 'Grace',
        lastName: 'Hopper',
        role: 'user',
        emailVerifiedAt: null,
        mfaEnabled: false,
        createdAt: expect.stringMatching(ISO_UTC),
      });
      const { session } = response.body;
      expect(session.id).toBe(claimsOf(account.accessToken).sid);
      expect(session.createdAt).toMatch(ISO_UTC);
      expect(session.expiresAt).toMatch(ISO_UTC);
      expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.parse(session.createdAt));
    });
  });

  describe('GET /auth/sessions', () => {
    it('lists only the active sessions, with exactly the documented keys and one current', async () => {
      const account = await registerAccount(testApp);
      const second = await testApp.http
        .post('/auth/login')
        .set('User-Agent', 'e2e-agent/1.0')
        .send({ email: account.email, password: account.password })
        .expect(200);
      const third = await login(testApp, account.email, account.password);
      const ended = await login(testApp, account.email, account.password);
      await logout(ended.accessToken).expect(200);
      await refresh(third.refreshToken).expect(200);

      const response = await sessionsOf(second.body.accessToken);
      expect(response.status).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(Object.keys(response.body)).toEqual(['items']);
      const items = response.body.items as Record<string, unknown>[];

      const sid = (token: string) => claimsOf(token).sid;
      expect(items.map((item) => item.id).sort()).toEqual(
        [sid(account.accessToken), sid(second.body.accessToken), sid(third.accessToken)].sort(),
      );
      for (const item of items) {
        expect(Object.keys(item).sort()).toEqual(SESSION_ITEM_KEYS);
        expect(item.id).toMatch(UUID);
        expect(item.createdAt).toMatch(ISO_UTC);
        expect(item.lastUsedAt).toMatch(ISO_UTC);
        expect(item.expiresAt).toMatch(ISO_UTC);
        expect(item.ip === null || typeof item.ip === 'string').toBe(true);
        expect(item.userAgent === null || typeof item.userAgent === 'string').toBe(true);
        expect(typeof item.current).toBe('boolean');
      }
      const current = items.filter((item) => item.current === true);
      expect(current).toHaveLength(1);
      expect(current[0].id).toBe(sid(second.body.accessToken));
      expect(current[0].userAgent).toBe('e2e-agent/1.0');

      const byId = (token: string) => items.find((item) => item.id === sid(token))!;
      const fresh = byId(account.accessToken);
      expect(fresh.lastUsedAt).toBe(fresh.createdAt);
      const refreshed = byId(third.accessToken);
      expect(Date.parse(refreshed.lastUsedAt as string)).toBeGreaterThan(
        Date.parse(refreshed.createdAt as string),
      );
    });
  });

  describe('DELETE /auth/sessions/:id', () => {
    it('ends another session of the caller: 204, and its tokens stop at once', async () => {
      const account = await registerAccount(testApp);
      const other = await login(testApp, account.email, account.password);
      // Cached as active before it is ended.
      expect((await me(other.accessToken)).status).toBe(200);

      const response = await endSession(account.accessToken, claimsOf(other.accessToken).sid!);
      expect(response.status).toBe(204);
      expect(response.text).toBe('');

      expectTokenFailure(await me(other.accessToken), 'TOKEN_REVOKED');
      expectError(await refresh(other.refreshToken), 403, 'REFRESH_INVALID');
      expect((await me(account.accessToken)).status).toBe(200);
      const listed = (await sessionsOf(account.accessToken)).body.items as { id: string }[];
      expect(listed.map((item) => item.id)).toEqual([claimsOf(account.accessToken).sid]);
    });

    it("may end the caller's own session", async () => {
      const account = await registerAccount(testApp);
      const response = await endSession(account.accessToken, claimsOf(account.accessToken).sid!);
      expect(response.status).toBe(204);
      expectTokenFailure(await me(account.accessToken), 'TOKEN_REVOKED');
      expectError(await refresh(account.refreshToken), 403, 'REFRESH_INVALID');
    });

    it("answers 404 SESSION_NOT_FOUND for another user's session, which keeps working", async () => {
      const caller = await registerAccount(testApp);
      const victim = await registerAccount(testApp);
      const response = await endSession(caller.accessToken, claimsOf(victim.accessToken).sid!);
      expectError(response, 404, 'SESSION_NOT_FOUND');
      expect(response.headers['cache-control']).toBe('no-store');
      expect((await me(victim.accessToken)).status).toBe(200);
      expect((await refresh(victim.refreshToken)).status).toBe(200);
    });

    it.each([
      ['a malformed id', 'not-a-uuid'],
      ['a uuid with trailing characters', `${randomUUID()}x`],
      ['an unknown uuid', randomUUID()],
    ])('answers 404 SESSION_NOT_FOUND for %s', async (_label, id) => {
      const caller = await registerAccount(testApp);
      expectError(await endSession(caller.accessToken, id), 404, 'SESSION_NOT_FOUND');
    });

    it('ends a session named by its id in upper case at once, its state cached as active', async () => {
      const account = await registerAccount(testApp);
      const other = await login(testApp, account.email, account.password);
      for (let i = 0; i < 2; i++) expect((await me(other.accessToken)).status).toBe(200);

      const id = claimsOf(other.accessToken).sid!;
      expect((await endSession(account.accessToken, id.toUpperCase())).status).toBe(204);

      expectTokenFailure(await me(other.accessToken), 'TOKEN_REVOKED');
      expectError(await refresh(other.refreshToken), 403, 'REFRESH_INVALID');
      expectError(await endSession(account.accessToken, id), 404, 'SESSION_NOT_FOUND');
      expect((await me(account.accessToken)).status).toBe(200);
    });

    it('needs an access token', async () => {
      const response = await testApp.http.delete(`/auth/sessions/${randomUUID()}`);
      expectTokenFailure(response, 'AUTH_REQUIRED');
    });
  });

  describe('revocation and the Redis cache', () => {
    let redis: TestRedis;

    beforeAll(async () => {
      redis = testRedisClient({ lazyConnect: true, maxRetriesPerRequest: 1 });
      await redis.connect();
    });

    afterAll(() => redis.quit());

    it('keeps a logged-out token revoked after Redis loses its memory (FLUSHDB)', async () => {
      const account = await registerAccount(testApp);
      const other = await login(testApp, account.email, account.password);
      expect((await me(account.accessToken)).status).toBe(200);
      expect((await me(other.accessToken)).status).toBe(200);
      await logout(account.accessToken).expect(200);
      expectTokenFailure(await me(account.accessToken), 'TOKEN_REVOKED');

      expect(await testRedisSize(redis)).toBeGreaterThan(0);
      await flushTestRedis(redis);
      expect(await testRedisSize(redis)).toBe(0);

      expectTokenFailure(await me(account.accessToken), 'TOKEN_REVOKED');
      expectTokenFailure(await logout(account.accessToken), 'TOKEN_REVOKED');
      expectError(await refresh(account.refreshToken), 403, 'REFRESH_INVALID');
      // A valid token still works after the flush, and still after its state is re-cached.
      expect((await me(other.accessToken)).status).toBe(200);
      expect((await me(other.accessToken)).status).toBe(200);
      // And the revoked one stays revoked once the cache is warm again.
      expectTokenFailure(await me(account.accessToken), 'TOKEN_REVOKED');
    });

    it('keeps sessions ended by logout-all and by reuse revoked after FLUSHDB', async () => {
      const account = await registerAccount(testApp);
      const second = await login(testApp, account.email, account.password);
      await testApp.http.post('/auth/logout-all').set(bearer(second.accessToken)).expect(200);

      const victim = await registerAccount(testApp);
      const first = (await refresh(victim.refreshToken).expect(200)).body;
      const rotated = (await refresh(first.refreshToken).expect(200)).body;
      await refresh(victim.refreshToken).expect(403);

      await flushTestRedis(redis);

      expectTokenFailure(await me(account.accessToken), 'TOKEN_REVOKED');
      expectTokenFailure(await me(second.accessToken), 'TOKEN_REVOKED');
      expectTokenFailure(await me(rotated.accessToken), 'TOKEN_REVOKED');
      expectError(await refresh(rotated.refreshToken), 403, 'REFRESH_INVALID');
    });

    it('rejects a token at once when it is logged out after its state was cached', async () => {
      const account = await registerAccount(testApp);
      for (let i = 0; i < 3; i++) expect((await me(account.accessToken)).status).toBe(200);
      await logout(account.accessToken).expect(200);
      expectTokenFailure(await me(account.accessToken), 'TOKEN_REVOKED');
    });
  });

  describe('Cache-Control: no-store on /auth', () => {
    let account: TestAccount;

    beforeAll(async () => {
      account = await registerAccount(testApp);
    });

    it.each([
      [
        'POST /auth/register 201',
        () =>
          testApp.http.post('/auth/register').send({
            firstName: 'A',
            lastName: 'B',
            email: `nostore-${randomUUID()}@example.com`,
            password: 'long enough password',
          }),
        201,
      ],
      ['POST /auth/register 400', () => testApp.http.post('/auth/register').send({}), 400],
      [
        'POST /auth/login 200',
        () =>
          testApp.http
            .post('/auth/login')
            .send({ email: account.email, password: account.password }),
        200,
      ],
      [
        'POST /auth/login 401',
        () =>
          testApp.http
            .post('/auth/login')
            .send({ email: account.email, password: 'wrong password' }),
        401,
      ],
      [
        'POST /auth/login 400 malformed JSON',
        () =>
          testApp.http
            .post('/auth/login')
            .set('Content-Type', 'application/json')
            .send('{"email":'),
        400,
      ],
      [
        'POST /auth/login 415',
        () => testApp.http.post('/auth/login').set('Content-Type', 'text/plain').send('email=x'),
        415,
      ],
      [
        'POST /auth/login 413',
        () =>
          testApp.http
            .post('/auth/login')
            .set('Content-Type', 'application/json')
            .send(JSON.stringify({ email: 'x'.repeat(40 * 1024), password: 'p' })),
        413,
      ],
      [
        'POST /auth/refresh 403',
        () => testApp.http.post('/auth/refresh').send({ refreshToken: 'garbage' }),
        403,
      ],
      ['GET /auth/status 200', () => status(account.accessToken), 200],
      ['GET /auth/status 401', () => testApp.http.get('/auth/status'), 401],
      [
        'GET /auth/status 401 malformed',
        () => testApp.http.get('/auth/status').set('Authorization', 'Basic xyz'),
        401,
      ],
      ['GET /auth/status 403', () => status(account.refreshToken), 403],
      ['GET /auth/sessions 200', () => sessionsOf(account.accessToken), 200],
      [
        'POST /auth/logout-all 401',
        () => testApp.http.post('/auth/logout-all').set(bearer('not-a-jwt')),
        401,
      ],
    ])('is set on %s', async (_label, send, expected) => {
      const response = await send();
      expect(response.status).toBe(expected);
      expect(response.headers['cache-control']).toBe('no-store');
    });

    it('is set on an unknown route under /auth', async () => {
      const response = await testApp.http.get('/auth/no-such-route');
      expect(response.status).toBe(404);
      expect(response.headers['cache-control']).toBe('no-store');
    });
  });
});

describe('Auth tokens: expiry', () => {
  const testApp = useTestApp({ ACCESS_TOKEN_TTL: '1s' });

  it('answers 401 TOKEN_EXPIRED for an access token past its lifetime and the 1 s leeway', async () => {
    const account = await registerAccount(testApp);
    const claims = claimsOf(account.accessToken);
    expect(claims.exp! - claims.iat!).toBe(1);
    await sleep(2200);
    for (const route of ['/users/me', '/auth/status']) {
      expectTokenFailure(
        await testApp.http.get(route).set(bearer(account.accessToken)),
        'TOKEN_EXPIRED',
      );
    }
    // The refresh token outlives the access token and still gives a new pair.
    const refreshed = await testApp.http
      .post('/auth/refresh')
      .send({ refreshToken: account.refreshToken });
    expect({ status: refreshed.status, body: refreshed.body }).toEqual({
      status: 200,
      body: expect.objectContaining({ expiresIn: 1 }),
    });
  });
});

describe('Auth tokens: REFRESH_REUSE_INTERVAL', () => {
  const refreshWith = (testApp: AppUnderTest, refreshToken: string) =>
    testApp.http.post('/auth/refresh').send({ refreshToken });
  const meWith = (testApp: AppUnderTest, token: string) =>
    testApp.http.get('/users/me').set(bearer(token));

  describe('1s', () => {
    const testApp = useTestApp({ REFRESH_REUSE_INTERVAL: '1s' });

    it('answers 403 REFRESH_REUSED for the just-rotated token once the interval has passed, and revokes the session', async () => {
      const account = await registerAccount(testApp);
      const rotated = (await refreshWith(testApp, account.refreshToken).expect(200)).body;
      expect((await meWith(testApp, rotated.accessToken)).status).toBe(200);
      await sleep(1200);

      expectError(await refreshWith(testApp, account.refreshToken), 403, 'REFRESH_REUSED');
      expectTokenFailure(await meWith(testApp, rotated.accessToken), 'TOKEN_REVOKED');
      expectError(await refreshWith(testApp, rotated.refreshToken), 403, 'REFRESH_INVALID');
    });
  });

  describe('0 (off)', () => {
    const testApp = useTestApp({ REFRESH_REUSE_INTERVAL: '0' }, { listen: true });

    it('treats the just-rotated token as reuse at once', async () => {
      const account = await registerAccount(testApp);
      const rotated = (await refreshWith(testApp, account.refreshToken).expect(200)).body;
      expectError(await refreshWith(testApp, account.refreshToken), 403, 'REFRESH_REUSED');
      expectTokenFailure(await meWith(testApp, rotated.accessToken), 'TOKEN_REVOKED');
    });

    it('lets exactly one of two concurrent refreshes with one token succeed', async () => {
      const account = await registerAccount(testApp);
      for (let round = 0; round < 5; round++) {
        const pair = await login(testApp, account.email, account.password);
        const responses = await Promise.all([
          refreshWith(testApp, pair.refreshToken),
          refreshWith(testApp, pair.refreshToken),
        ]);
        const statuses = responses.map((response) => response.status).sort();
        expect({ round, statuses }).toEqual({ round, statuses: [200, 403] });
        const loser = responses.find((response) => response.status === 403)!;
        expect(['REFRESH_REUSED', 'REFRESH_INVALID']).toContain(loser.body.code);
      }
    });
  });
});

describe('Auth tokens: SESSION_MAX_LIFETIME', () => {
  const testApp = useTestApp({ SESSION_MAX_LIFETIME: '3s' });

  it('slides the session at each refresh but never past its absolute end, then answers 403 REFRESH_INVALID', async () => {
    const account = await registerAccount(testApp);
    const status = await testApp.http.get('/auth/status').set(bearer(account.accessToken));
    const absoluteEnd = Date.parse(status.body.session.createdAt) + 3000;
    expect(Date.parse(status.body.session.expiresAt)).toBeLessThanOrEqual(absoluteEnd);
    expect(claimsOf(account.refreshToken).exp! * 1000).toBeLessThanOrEqual(absoluteEnd);

    await sleep(1000);
    const refreshed = await testApp.http
      .post('/auth/refresh')
      .send({ refreshToken: account.refreshToken })
      .expect(200);
    const sessions = await testApp.http
      .get('/auth/sessions')
      .set(bearer(refreshed.body.accessToken))
      .expect(200);
    const [session] = sessions.body.items as { expiresAt: string; lastUsedAt: string }[];
    expect(Date.parse(session.lastUsedAt)).toBeGreaterThan(
      Date.parse(status.body.session.createdAt),
    );
    expect(Date.parse(session.expiresAt)).toBeLessThanOrEqual(absoluteEnd);
    expect(claimsOf(refreshed.body.refreshToken).exp! * 1000).toBeLessThanOrEqual(absoluteEnd);

    await sleep(Math.max(0, absoluteEnd - Date.now()) + 100);
    const late = await testApp.http
      .post('/auth/refresh')
      .send({ refreshToken: refreshed.body.refreshToken });
    expectError(late, 403, 'REFRESH_INVALID');
    expectTokenFailure(
      await testApp.http.get('/users/me').set(bearer(refreshed.body.accessToken)),
      'TOKEN_REVOKED',
    );
  });
});
