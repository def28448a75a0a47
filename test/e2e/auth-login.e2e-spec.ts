import { randomUUID } from 'node:crypto';
import { format } from 'node:util';
import { UsersService } from '../../src/users';
import {
  bearer,
  NO_CLIENT,
  DIRECT_CALL_ADMIN_ID,
  registerAccount,
  uniqueEmail,
} from './support/accounts';
import { expectError, expectTooManyRequests, expectValidationFailed } from './support/expectations';
import { ISO_UTC, UUID } from './support/formats';
import { useTestApp } from './support/test-app';
import { USER_FIELDS } from './support/shapes';
import { testRedisClient, testRedisKeys } from './support/test-redis';

const SIGNED_IN_KEYS = ['accessToken', 'expiresIn', 'message', 'refreshToken', 'tokenType', 'user'];
const PASSWORD = 'correct horse battery';

const INVALID_CREDENTIALS = {
  statusCode: 401,
  error: 'Unauthorized',
  code: 'INVALID_CREDENTIALS',
  message: 'Invalid email or password.',
};

function registration(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: uniqueEmail('login'),
    password: PASSWORD,
    ...overrides,
  };
}

/** An otherwise valid email of exactly `length` characters (local part 64, labels ≤ 63). */
function emailOfLength(length: number): string {
  const local = 'a'.repeat(64);
  let domain = `${'b'.repeat(63)}.${'c'.repeat(63)}.`;
  const rest = length - local.length - 1 - domain.length - '.com'.length;
  domain += `${'d'.repeat(rest)}.com`;
  return `${local}@${domain}`;
}

function expectUserShape(user: unknown): void {
  expect(Object.keys(user as object).sort()).toEqual(USER_FIELDS);
  expect(user).toEqual({
    id: expect.stringMatching(UUID),
    email: expect.any(String),
    firstName: expect.any(String),
    lastName: expect.any(String),
    role: 'user',
    emailVerifiedAt: null,
    mfaEnabled: false,
    createdAt: expect.stringMatching(ISO_UTC),
  });
}

describe('Auth: register and login', () => {
  const testApp = useTestApp({}, { listen: true });

  const register = (body: unknown) => testApp.http.post('/auth/register').send(body as object);
  const registerRaw = (json: string) =>
    testApp.http.post('/auth/register').set('Content-Type', 'application/json').send(json);
  const loginWith = (body: unknown) => testApp.http.post('/auth/login').send(body as object);

  describe('POST /auth/register', () => {
    it('answers 201 with exactly the message, the user and a token pair, and never a hash', async () => {
      const body = registration({ firstName: 'Grace', lastName: 'Hopper' });
      const response = await register(body);
      expect(response.status).toBe(201);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(Object.keys(response.body).sort()).toEqual(SIGNED_IN_KEYS);
      expect(response.body).toEqual({
        message: 'Successfully registered.',
        user: {
          id: expect.stringMatching(UUID),
          email: body.email,
          firstName: 'Grace',
          lastName: 'Hopper',
          role: 'user',
          emailVerifiedAt: null,
          mfaEnabled: false,
          createdAt: expect.stringMatching(ISO_UTC),
        },
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 900,
      });
      expectUserShape(response.body.user);
      const text = JSON.stringify(response.body);
      expect(text).not.toMatch(/password|hash/i);
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toMatch(/\$2[aby]\$/);

      const me = await testApp.http.get('/users/me').set(bearer(response.body.accessToken));
      expect(me.status).toBe(200);
      expect(me.body).toEqual(response.body.user);
    });

    it('stores the email trimmed and lower-cased, and the names trimmed', async () => {
      const local = `Mixed.Case-${randomUUID()}`;
      const response = await register(
        registration({ email: `  ${local}@Example.COM  `, firstName: '  Ada  ', lastName: '\tL ' }),
      );
      expect(response.status).toBe(201);
      expect(response.body.user.email).toBe(`${local.toLowerCase()}@example.com`);
      expect(response.body.user.firstName).toBe('Ada');
      expect(response.body.user.lastName).toBe('L');
      const login = await loginWith({
        email: `${local.toLowerCase()}@example.com`,
        password: PASSWORD,
      });
      expect(login.status).toBe(200);
    });

    it('answers 409 EMAIL_TAKEN for a registered email, also differing in case or whitespace', async () => {
      const email = uniqueEmail('dup');
      await register(registration({ email })).expect(201);
      for (const variant of [email, email.toUpperCase(), `  ${email}  `]) {
        const response = await register(registration({ email: variant, firstName: 'Other' }));
        expectError(response, 409, 'EMAIL_TAKEN', 'User already exists. Please log in.');
        expect(response.headers['cache-control']).toBe('no-store');
      }
      // The first account is unchanged: its password still opens it.
      expect((await loginWith({ email, password: PASSWORD })).status).toBe(200);
    });

    it('lets exactly one of two concurrent registrations with one email succeed', async () => {
      for (let round = 0; round < 5; round++) {
        const email = uniqueEmail('race');
        const responses = await Promise.all([
          register(registration({ email })),
          register(registration({ email: email.toUpperCase(), firstName: 'Twin' })),
        ]);
        const statuses = responses.map((response) => response.status).sort();
        expect({ round, statuses }).toEqual({ round, statuses: [201, 409] });
        const loser = responses.find((response) => response.status === 409)!;
        expectError(loser, 409, 'EMAIL_TAKEN', 'User already exists. Please log in.');
      }
    });

    it('logs neither the password nor its hash when a duplicate email is rejected', async () => {
      const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
        jest.spyOn(console, method).mockImplementation(() => undefined),
      );
      const password = `secret-${randomUUID()}`;
      const email = uniqueEmail('leak');
      try {
        await register(registration({ email, password })).expect(201);
        await register(registration({ email, password })).expect(409);
        await Promise.all([
          register(registration({ email: email.toUpperCase(), password })),
          register(registration({ email: ` ${email}`, password })),
        ]);
        const printed = spies
          .flatMap((spy) => spy.mock.calls)
          .map((args) => format(...args))
          .join('\n');
        expect(printed).not.toMatch(/\$2[aby]\$\d\d\$/);
        expect(printed).not.toContain(password);
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
    });

    describe('validation', () => {
      const cases: [string, Record<string, unknown>, string[]][] = [
        [
          'an empty body object',
          { firstName: undefined, lastName: undefined, email: undefined, password: undefined },
          ['firstName', 'lastName', 'email', 'password'],
        ],
        ['a missing firstName', { firstName: undefined }, ['firstName']],
        ['a missing lastName', { lastName: undefined }, ['lastName']],
        ['a missing email', { email: undefined }, ['email']],
        ['a missing password', { password: undefined }, ['password']],
        ['an invalid email', { email: 'not-an-email' }, ['email']],
        ['an email without a domain', { email: 'ada@' }, ['email']],
        ['an email of 255 characters', { email: emailOfLength(255) }, ['email']],
        ['an email of 260 characters', { email: emailOfLength(260) }, ['email']],
        ['a password of 7 characters', { password: 'seven77' }, ['password']],
        ['a password of 73 ASCII bytes', { password: 'a'.repeat(73) }, ['password']],
        [
          'a password of 37 two-byte characters (74 bytes)',
          { password: 'é'.repeat(37) },
          ['password'],
        ],
        [
          'a password of 19 four-byte characters (76 bytes)',
          { password: '😀'.repeat(19) },
          ['password'],
        ],
        ['a password with a NUL byte', { password: 'password\u0000tail' }, ['password']],
        ['an empty firstName', { firstName: '' }, ['firstName']],
        ['a firstName empty after trimming', { firstName: '   ' }, ['firstName']],
        ['a lastName empty after trimming', { lastName: ' \t ' }, ['lastName']],
        ['a firstName of 101 characters', { firstName: 'a'.repeat(101) }, ['firstName']],
        ['a lastName of 101 characters', { lastName: 'b'.repeat(101) }, ['lastName']],
        ['a NUL in firstName', { firstName: 'Ada\u0000' }, ['firstName']],
        ['a bell character in lastName', { lastName: 'Love\u0007lace' }, ['lastName']],
        ['a newline inside firstName', { firstName: 'Ad\na' }, ['firstName']],
        ['a DEL character in lastName', { lastName: 'Love\u007flace' }, ['lastName']],
        ['a C1 control character in firstName', { firstName: 'Ada\u0085x' }, ['firstName']],
        ['a numeric firstName', { firstName: 123 }, ['firstName']],
        ['a boolean lastName', { lastName: true }, ['lastName']],
        ['a numeric email', { email: 12345 }, ['email']],
        ['a numeric password', { password: 12345678 }, ['password']],
        ['a null email', { email: null }, ['email']],
        ['an array firstName', { firstName: ['Ada'] }, ['firstName']],
        ['an object password', { password: { value: PASSWORD } }, ['password']],
        ['an unknown field', { nickname: 'ada' }, ['nickname']],
        ['a role field', { role: 'admin' }, ['role']],
      ];

      it.each(cases)(
        'answers 400 VALIDATION_FAILED naming the field for %s',
        async (_l, overrides, fields) => {
          const body = registration(overrides);
          const response = await register(body);
          expectValidationFailed(response, fields);
          expect(response.headers['cache-control']).toBe('no-store');
          // Nothing was stored: the same email (when it is valid) registers afterwards.
          if (typeof body.email === 'string' && /^[^@\s]+@example\.com$/.test(body.email)) {
            await register(registration({ email: body.email })).expect(201);
          }
        },
      );

      it.each([
        ['__proto__', '{"__proto__": {"role": "admin"}}'],
        ['constructor', '{"constructor": {"prototype": {"role": "admin"}}}'],
      ])(
        'answers 400 VALIDATION_FAILED for a `%s` key, which has no effect',
        async (key, extra) => {
          const body = registration();
          const json = `${JSON.stringify(body).slice(0, -1)},${extra.slice(1, -1)}}`;
          const response = await registerRaw(json);
          expectValidationFailed(response, [key]);
          const later = await register(registration({ email: body.email }));
          expect(later.status).toBe(201);
          expect(later.body.user.role).toBe('user');
        },
      );

      it.each([
        ['an array', '[]'],
        ['an array of the body', () => JSON.stringify([registration()])],
        ['null', 'null'],
        ['a string', '"hello"'],
        ['a number', '42'],
      ])('answers 400 VALIDATION_FAILED for %s as the top-level body', async (_label, json) => {
        const response = await registerRaw(typeof json === 'function' ? json() : json);
        expectError(response, 400, 'VALIDATION_FAILED');
      });

      it('stores nothing for a rejected registration: the email registers later', async () => {
        const email = uniqueEmail('rejected');
        expectValidationFailed(await register(registration({ email, password: 'short' })), [
          'password',
        ]);
        expectValidationFailed(await register(registration({ email, password: 'é'.repeat(37) })), [
          'password',
        ]);
        expectValidationFailed(await register(registration({ email, firstName: ' ' })), [
          'firstName',
        ]);
        expectError(await loginWith({ email, password: 'short' }), 401, 'INVALID_CREDENTIALS');
        await register(registration({ email })).expect(201);
      });
    });

    describe('boundaries that are accepted', () => {
      it.each<[string, { email?: string; [field: string]: unknown }]>([
        ['a password of 8 characters', { password: 'eight888' }],
        ['a password of 72 ASCII bytes', { password: 'a'.repeat(72) }],
        ['a password of 36 two-byte characters (72 bytes)', { password: 'é'.repeat(36) }],
        ['a firstName of 100 characters', { firstName: 'a'.repeat(100) }],
        ['a lastName of 100 emoji (100 code points)', { lastName: '😀'.repeat(100) }],
        ['a one-character name', { firstName: 'A', lastName: 'B' }],
        ['an email of 254 characters', { email: emailOfLength(254) }],
      ])('answers 201 for %s, and the password opens the account', async (_label, overrides) => {
        const email =
          typeof overrides.email === 'string'
            ? `${randomUUID().slice(0, 8)}${overrides.email.slice(8)}`
            : uniqueEmail('edge');
        const body = registration({ ...overrides, email });
        const response = await register(body);
        expect(response.status).toBe(201);
        expect(response.body.user.email).toBe(email);
        const login = await loginWith({ email, password: body.password });
        expect(login.status).toBe(200);
      });
    });

    it('stores and lists a 5,000-character User-Agent cut to 512 characters', async () => {
      const userAgent = `agent-${'u'.repeat(5000)}`;
      const body = registration();
      const registered = await register(body).set('User-Agent', userAgent).expect(201);
      await testApp.http
        .post('/auth/login')
        .set('User-Agent', userAgent)
        .send({ email: body.email, password: PASSWORD })
        .expect(200);
      const sessions = await testApp.http
        .get('/auth/sessions')
        .set(bearer(registered.body.accessToken))
        .expect(200);
      expect(sessions.body.items.map((item: { userAgent: string }) => item.userAgent)).toEqual([
        userAgent.slice(0, 512),
        userAgent.slice(0, 512),
      ]);
    });
  });

  describe('POST /auth/login', () => {
    let email: string;
    let userId: string;

    beforeAll(async () => {
      const account = await registerAccount(testApp, { email: uniqueEmail('login') });
      email = account.email;
      userId = account.id;
    });

    it('answers 200 with exactly the message, the user and a token pair', async () => {
      const response = await loginWith({ email, password: PASSWORD });
      expect(response.status).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(Object.keys(response.body).sort()).toEqual(SIGNED_IN_KEYS);
      expect(response.body).toEqual({
        message: 'Successfully logged in.',
        user: {
          id: userId,
          email,
          firstName: 'Ada',
          lastName: 'Lovelace',
          role: 'user',
          emailVerifiedAt: null,
          mfaEnabled: false,
          createdAt: expect.stringMatching(ISO_UTC),
        },
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 900,
      });
      expectUserShape(response.body.user);
      expect(JSON.stringify(response.body)).not.toMatch(/password|hash|\$2[aby]\$/i);
      const me = await testApp.http.get('/users/me').set(bearer(response.body.accessToken));
      expect(me.status).toBe(200);
      expect(me.body.id).toBe(userId);
    });

    it('accepts the email in another case and with surrounding whitespace', async () => {
      const response = await loginWith({ email: `  ${email.toUpperCase()} `, password: PASSWORD });
      expect(response.status).toBe(200);
      expect(response.body.user.email).toBe(email);
    });

    it('answers the identical 401 INVALID_CREDENTIALS body for an unknown email and a wrong password', async () => {
      const unknown = await loginWith({ email: uniqueEmail('nobody'), password: PASSWORD });
      const wrong = await loginWith({ email, password: 'wrong horse battery' });
      expect(unknown.status).toBe(401);
      expect(wrong.status).toBe(401);
      expect(unknown.body).toEqual(INVALID_CREDENTIALS);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.headers['cache-control']).toBe('no-store');
    });

    it.each([
      ['a missing email', { password: PASSWORD }, ['email']],
      ['a missing password', { email: 'x@example.com' }, ['password']],
      ['an empty body object', {}, ['email', 'password']],
      ['a numeric email', { email: 42, password: PASSWORD }, ['email']],
      ['a null password', { email: 'x@example.com', password: null }, ['password']],
      ['an array password', { email: 'x@example.com', password: [PASSWORD] }, ['password']],
      ['an object email', { email: { $ne: null }, password: PASSWORD }, ['email']],
      ['a boolean password', { email: 'x@example.com', password: true }, ['password']],
    ])('answers 400 VALIDATION_FAILED for %s', async (_label, body, fields) => {
      expectValidationFailed(await loginWith(body), fields);
    });

    it.each([
      ['a malformed email', () => ({ email: 'not-an-email', password: PASSWORD })],
      ['an email over 254 characters', () => ({ email: emailOfLength(300), password: PASSWORD })],
      ['a 100-character password', () => ({ email, password: 'p'.repeat(100) })],
      ['a 7-character password', () => ({ email, password: 'seven77' })],
      ['empty strings', () => ({ email: '', password: '' })],
      ['the right password with a NUL appended', () => ({ email, password: `${PASSWORD}\u0000` })],
    ])(
      'answers 401 INVALID_CREDENTIALS for %s (login never reveals registration rules)',
      async (_label, body) => {
        const response = await loginWith(body());
        expect(response.status).toBe(401);
        expect(response.body).toEqual(INVALID_CREDENTIALS);
      },
    );

    it('never lets a password past 72 bytes match the account by its prefix', async () => {
      const password = 'x'.repeat(72);
      const account = await registerAccount(testApp, { password });
      const longer = await loginWith({ email: account.email, password: `${password}yz` });
      expect(longer.status).toBe(401);
      expect(longer.body).toEqual(INVALID_CREDENTIALS);
      expect((await loginWith({ email: account.email, password })).status).toBe(200);
    });

    it('reads credentials from the JSON body only, never from the query string', async () => {
      const query = `?email=${encodeURIComponent(email)}&password=${encodeURIComponent(PASSWORD)}`;
      expectValidationFailed(await testApp.http.post(`/auth/login${query}`).send({}), [
        'email',
        'password',
      ]);
      expectValidationFailed(await testApp.http.post(`/auth/login${query}`), ['email', 'password']);
      expectValidationFailed(
        await testApp.http.post(`/auth/login?password=${encodeURIComponent(PASSWORD)}`).send({
          email,
        }),
        ['password'],
      );
    });

    it('answers 403 USER_DISABLED only after the right password; a wrong one stays 401', async () => {
      const account = await registerAccount(testApp);
      // Cache the user's state as active before the disable.
      expect((await testApp.http.get('/users/me').set(bearer(account.accessToken))).status).toBe(
        200,
      );
      await testApp.app.get(UsersService).disable(account.id, DIRECT_CALL_ADMIN_ID, NO_CLIENT);

      const right = await loginWith({ email: account.email, password: account.password });
      expectError(right, 403, 'USER_DISABLED');
      expect(right.headers['cache-control']).toBe('no-store');
      const wrong = await loginWith({ email: account.email, password: 'wrong horse battery' });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual(INVALID_CREDENTIALS);
      // Its earlier tokens stopped working with the disable.
      const me = await testApp.http.get('/users/me').set(bearer(account.accessToken));
      expectError(me, 401, 'TOKEN_REVOKED', 'Token blacklisted. Please log in again.');

      const refreshed = await testApp.http
        .post('/auth/refresh')
        .send({ refreshToken: account.refreshToken });
      expectError(refreshed, 403, 'REFRESH_INVALID');

      await testApp.app.get(UsersService).enable(account.id, DIRECT_CALL_ADMIN_ID, NO_CLIENT);
      expect((await loginWith({ email: account.email, password: account.password })).status).toBe(
        200,
      );
      // Enabling again does not bring the earlier tokens back.
      expect((await testApp.http.get('/users/me').set(bearer(account.accessToken))).status).toBe(
        401,
      );
    });
  });
});

describe('Auth: per-email login throttling', () => {
  const keyPrefix = `tm-test-throttle-${randomUUID()}:`;
  const testApp = useTestApp(
    {
      LOGIN_MAX_FAILURES: '3',
      LOGIN_FAILURE_WINDOW: '60s',
      REDIS_KEY_PREFIX: keyPrefix,
      // A realistic cost, so a password check takes long enough for parallel guesses to overlap.
      BCRYPT_COST: '10',
    },
    { listen: true },
  );

  const loginWith = (email: string, password: string) =>
    testApp.http.post('/auth/login').send({ email, password });

  it('answers 429 with Retry-After after 3 failures, even to the right password', async () => {
    const account = await registerAccount(testApp);
    for (let i = 0; i < 3; i++) {
      const response = await loginWith(account.email, 'wrong horse battery');
      expect({ attempt: i + 1, status: response.status }).toEqual({ attempt: i + 1, status: 401 });
      expect(response.body).toEqual(INVALID_CREDENTIALS);
    }
    const throttled = await loginWith(account.email, account.password);
    expectTooManyRequests(throttled, 60);
    expect(throttled.headers['cache-control']).toBe('no-store');
    expectTooManyRequests(await loginWith(account.email, 'wrong horse battery'), 60);
    // Another account is not affected.
    const other = await registerAccount(testApp);
    expect((await loginWith(other.email, other.password)).status).toBe(200);
  });

  it('resets the count on a success before the limit', async () => {
    const account = await registerAccount(testApp);
    for (let i = 0; i < 2; i++) {
      expect((await loginWith(account.email, 'wrong horse battery')).status).toBe(401);
    }
    expect((await loginWith(account.email, account.password)).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      const response = await loginWith(account.email, 'wrong horse battery');
      expect({ attempt: i + 1, status: response.status }).toEqual({ attempt: i + 1, status: 401 });
    }
    expectTooManyRequests(await loginWith(account.email, account.password), 60);
  });

  it('throttles unknown emails too', async () => {
    const email = uniqueEmail('ghost');
    for (let i = 0; i < 3; i++) {
      const response = await loginWith(email, 'any password at all');
      expect(response.status).toBe(401);
      expect(response.body).toEqual(INVALID_CREDENTIALS);
    }
    expectTooManyRequests(await loginWith(email, 'any password at all'), 60);
  });

  it('counts emails that differ in case and whitespace together', async () => {
    const account = await registerAccount(testApp);
    const variants = [account.email.toUpperCase(), `  ${account.email}  `, `\t${account.email}`];
    for (const variant of variants) {
      expect((await loginWith(variant, 'wrong horse battery')).status).toBe(401);
    }
    expectTooManyRequests(await loginWith(account.email, account.password), 60);
    expectTooManyRequests(await loginWith(` ${account.email.toUpperCase()}`, account.password), 60);
  });

  it('does not let parallel guesses past the limit: a right password sent after 11 wrong ones is 429', async () => {
    const account = await registerAccount(testApp);
    const guesses = Array.from({ length: 11 }, (_, i) => `wrong guess ${i}`);
    const responses = await Promise.all(
      [...guesses, account.password].map((password) => loginWith(account.email, password)),
    );
    const statuses = responses.map((response) => response.status);
    // The lock must hold for requests in flight too: of 12 parallel attempts at most 3 may be
    // checked and fail, so the right password, sent last, must not get in.
    expect({ last: statuses[statuses.length - 1], statuses }).toEqual({ last: 429, statuses });
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(3);
  });

  it('does not count a request rejected by validation', async () => {
    const account = await registerAccount(testApp);
    for (let i = 0; i < 5; i++) {
      const response = await testApp.http.post('/auth/login').send({ email: account.email });
      expect(response.status).toBe(400);
    }
    expect((await loginWith(account.email, account.password)).status).toBe(200);
  });

  it('keys the count by a hash of the email: a 30 KB email leaves no long Redis key', async () => {
    const email = `${'a'.repeat(30_000)}@example.com`;
    for (let i = 0; i < 3; i++) {
      expect((await loginWith(email, 'any password at all')).status).toBe(401);
    }
    // Still counted per email, in any case and with surrounding whitespace.
    expectTooManyRequests(await loginWith(` ${email.toUpperCase()} `, 'any password at all'), 60);

    const redis = testRedisClient({ lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      const keys = await testRedisKeys(redis, `${keyPrefix}*`);
      expect(keys.some((key) => key.includes(':login-failures:'))).toBe(true);
      expect(keys.filter((key) => Buffer.byteLength(key) > 200)).toEqual([]);
    } finally {
      await redis.quit();
    }
  });
});

describe('Auth: per-IP limit on register and login', () => {
  const testApp = useTestApp({
    AUTH_IP_LIMIT: '5',
    REDIS_KEY_PREFIX: `tm-test-throttle-${randomUUID()}:`,
  });

  it('counts register and login together and answers the 6th request with 429', async () => {
    const first = registration();
    const second = registration();
    const registered = await testApp.http.post('/auth/register').send(first);
    expect(registered.status).toBe(201);
    const firstToken: string = registered.body.accessToken;
    expect(
      (await testApp.http.post('/auth/login').send({ email: first.email, password: PASSWORD }))
        .status,
    ).toBe(200);
    expect((await testApp.http.post('/auth/register').send(second)).status).toBe(201);
    expect(
      (await testApp.http.post('/auth/login').send({ email: second.email, password: 'wrong one!' }))
        .status,
    ).toBe(401);
    expect(
      (await testApp.http.post('/auth/login').send({ email: second.email, password: PASSWORD }))
        .status,
    ).toBe(200);

    const sixth = await testApp.http.post('/auth/register').send(registration());
    expectTooManyRequests(sixth, 60);
    expect(sixth.headers['cache-control']).toBe('no-store');
    const seventh = await testApp.http
      .post('/auth/login')
      .send({ email: first.email, password: PASSWORD });
    expectTooManyRequests(seventh, 60);

    // Only register and login count: the first account's token still opens other routes.
    const me = await testApp.http.get('/users/me').set(bearer(firstToken));
    expect(me.status).toBe(200);
  });
});

describe('Auth: per-address limit for IPv6 callers behind a proxy', () => {
  const testApp = useTestApp({
    TRUST_PROXY: '1',
    AUTH_IP_LIMIT: '3',
    REDIS_KEY_PREFIX: `tm-test-throttle-v6-${randomUUID()}:`,
  });

  const loginFrom = (address: string) =>
    testApp.http
      .post('/auth/login')
      .set('X-Forwarded-For', address)
      .send({ email: uniqueEmail('v6'), password: PASSWORD });

  it('counts every address of one /64 together, and another /64 or an IPv4 address apart', async () => {
    for (const address of ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2:ffff::3']) {
      expectError(await loginFrom(address), 401, 'INVALID_CREDENTIALS');
    }
    expectTooManyRequests(await loginFrom('2001:db8:1:2:abcd::9%eth0'), 60);
    expectTooManyRequests(await loginFrom('2001:DB8:1:2::1'), 60);

    expectError(await loginFrom('2001:db8:1:3::1'), 401, 'INVALID_CREDENTIALS');
    expectError(await loginFrom('203.0.113.50'), 401, 'INVALID_CREDENTIALS');
  });
});
