import fc from 'fast-check';

/**
 * Generators for the fuzz suites. They describe requests rather than build them: tokens, ids and
 * the fixture's email are named here and filled in when the request is sent (fixture.ts), so a
 * renewed token is picked up and a counterexample stays readable.
 */

/** Tokens the fixture holds; see FuzzFixture for what each one is. */
const TOKEN_REFS = [
  'userAccess',
  'adminAccess',
  'userRefresh',
  'revokedAccess',
  'revokedRefresh',
  'deletedUserAccess',
] as const;
export type TokenRef = (typeof TOKEN_REFS)[number];

/** One thing wrong with an otherwise valid access token, signed by the test; `claim` sets any claim. */
const TOKEN_FAULTS = [
  'alg-none',
  'alg-hs512',
  'other-key',
  'wrong-iss',
  'no-iss',
  'wrong-aud',
  'no-aud',
  'no-exp',
  'expired',
  'no-typ',
  'other-typ',
  'refresh-typ',
  'far-exp',
] as const;
export type TokenFault = (typeof TOKEN_FAULTS)[number];

export type TokenSpec =
  | { readonly ref: TokenRef }
  | { readonly forged: TokenFault }
  | { readonly forged: 'claim'; readonly claim: string; readonly value: unknown }
  | { readonly garbage: string };

/** Values of the fixture other than tokens that a body may name. */
export type ValueRef = 'userEmail' | 'userEmailShouted' | 'userPassword';

/** Path parameters that name something the fixture made. */
export type ParamRef =
  | 'userId'
  | 'adminId'
  | 'targetId'
  | 'deletedUserId'
  | 'userSessionId'
  | 'otherSessionId'
  | 'userMessageId'
  | 'otherMessageId';

/**
 * A JSON value, serialized when sent: objects are entry lists so that `__proto__` stays an own
 * key and keys may repeat, and `literal` is JSON text sent as it is (`-0`, `1e400`, deep nesting).
 */
export type JsonTree =
  | null
  | boolean
  | string
  | { readonly literal: string }
  | { readonly token: TokenSpec }
  | { readonly ref: ValueRef }
  | readonly JsonTree[]
  | { readonly entries: readonly (readonly [string, JsonTree])[] };

export type BodySpec =
  | { readonly kind: 'none' }
  | { readonly kind: 'json'; readonly value: JsonTree }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array };

/** What the contract says a Content-Type is; `unknown` where it does not say. */
export interface ContentTypeSpec {
  readonly header: string | undefined;
  readonly kind: 'json' | 'bad-charset' | 'other' | 'unknown';
}

export type AuthorizationSpec =
  | { readonly raw: string }
  | {
      readonly scheme: string;
      readonly gap: string;
      readonly token: TokenSpec;
      readonly trailer: string;
    };

/** One of the fixture's ids (in any case: a UUID in upper case names the same thing), or raw text. */
export type ParamSpec =
  { readonly ref: ParamRef; readonly upperCase?: boolean } | { readonly raw: string };

export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];

/** Names every plain object inherits (toString, valueOf, __defineGetter__, …). */
const INHERITED_KEYS = Object.getOwnPropertyNames(Object.prototype);

const NAN_LIKE = [
  'NaN',
  '-NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '0',
  '1e309',
  '0x1F',
  '1_000',
  ' 1 ',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '',
  ' ',
  '\t\n',
];

const UNICODE_SAMPLES = [
  '\u202Eevil\u202C', // right-to-left override
  'שלום עולם',
  'مرحبا',
  'e\u0301\u0302\u0303', // stacked combining marks
  'Z\u0364\u0351\u0313a\u0308\u0316\u032D',
  '👩‍👩‍👧‍👦',
  '🇺🇳',
  '𝕳𝖊𝖑𝖑𝖔',
  '\u{10FFFF}',
  '\uD800', // lone surrogates
  'x\uDFFFy',
  '\u200B\uFEFF\u00A0', // zero-width and non-breaking spaces
  'ǅﬃİß', // case mappings that change the length
];

const char = (codes: fc.Arbitrary<number>) => codes.map((code) => String.fromCharCode(code));

/** C0 and C1 control characters (NUL included) among printable ones. */
const controlString = fc.string({
  unit: fc.oneof(
    char(fc.integer({ min: 0, max: 0x1f })),
    char(fc.integer({ min: 0x7f, max: 0x9f })),
    char(fc.integer({ min: 0x20, max: 0x7e })),
  ),
  minLength: 1,
  maxLength: 20,
});

/** Long runs of one character, across the 72-byte, 100, 254 and 1000 character limits. */
const longString = fc
  .tuple(
    fc.constantFrom('x', 'é', '😀', 'e\u0301', ' ', '\u0000'),
    fc.integer({ min: 70, max: 1500 }),
  )
  .map(([unit, count]) => unit.repeat(count));

/** Any string a client could put in JSON: astral planes, emoji, RTL, combining marks, controls. */
const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(...NAN_LIKE, ...UNICODE_SAMPLES),
  controlString,
  longString,
  fc
    .array(fc.oneof(fc.constantFrom(...UNICODE_SAMPLES), fc.string({ maxLength: 5 })), {
      maxLength: 4,
    })
    .map((parts) => parts.join('')),
);

/** Number literals, including the ones JSON.stringify cannot write. */
const numberLiteral: fc.Arbitrary<JsonTree> = fc
  .oneof(
    fc.integer().map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
    fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
    fc.constantFrom(
      '-0',
      '-0.0',
      '0e0',
      '1e309',
      '-1e309',
      '1e-400',
      '5e-324',
      '1.0',
      '1E2',
      '1e+2',
      '123456789012345678901234567890',
      '9007199254740993',
      '2147483648',
      '4294967296',
    ),
  )
  .map((literal) => ({ literal }));

/** Nesting deeper than any DTO, around and far past the pipe's depth limit of 32. */
const deepNesting: fc.Arbitrary<JsonTree> = fc
  .tuple(
    fc.oneof(fc.integer({ min: 28, max: 36 }), fc.integer({ min: 37, max: 4000 })),
    fc.boolean(),
  )
  .map(([depth, arrays]) => ({
    literal: arrays
      ? `${'['.repeat(depth)}${']'.repeat(depth)}`
      : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  }));

const scalar: fc.Arbitrary<JsonTree> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  hostileString,
  numberLiteral,
);

const objectKey = fc.oneof(
  fc.constantFrom(...PROTOTYPE_KEYS, ...INHERITED_KEYS, '', '0', 'length'),
  fc.string({ maxLength: 10 }),
  hostileString,
);

/** Any JSON value, a few levels deep. */
export const jsonTree: fc.Arbitrary<JsonTree> = fc.letrec<{
  tree: JsonTree;
  array: JsonTree[];
  object: JsonTree;
}>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    tie('array'),
    tie('object'),
    deepNesting,
  ),
  array: fc.array(tie('tree'), { maxLength: 4 }),
  object: fc
    .array(fc.tuple(objectKey, tie('tree')), { maxLength: 4 })
    .map((entries) => ({ entries })),
})).tree;

/** A value of the wrong type for a string field, or of the right type but hostile. */
const wrongValue: fc.Arbitrary<JsonTree> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: scalar },
  { weight: 2, arbitrary: jsonTree },
  { weight: 1, arbitrary: deepNesting },
);

/** A DTO field: mostly a valid value, so requests reach past the first failing rule. */
export function field(valid: fc.Arbitrary<JsonTree>): fc.Arbitrary<JsonTree> {
  return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: wrongValue });
}

/** Keys a body should not have: the prototype's, other routes' fields, anything. */
function extraEntries(fieldNames: readonly string[]) {
  const key = fc.oneof(
    fc.constantFrom(...PROTOTYPE_KEYS),
    { weight: 2, arbitrary: fc.constantFrom(...INHERITED_KEYS) },
    fc.constantFrom('id', 'role', 'userId', 'email', 'isAdmin', 'password', ...fieldNames),
    objectKey,
  );
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.array(fc.tuple(key, jsonTree), { minLength: 1, maxLength: 3 }) },
  );
}

/** An object with the DTO's fields, each one present or not, valid or not, and sometimes extra keys. */
function dtoObject(
  fields: Readonly<Record<string, fc.Arbitrary<JsonTree>>>,
): fc.Arbitrary<JsonTree> {
  const names = Object.keys(fields);
  return fc
    .tuple(
      fc.tuple(...names.map((name) => fc.option(fields[name], { nil: undefined, freq: 8 }))),
      extraEntries(names),
    )
    .map(([values, extras]) => ({
      entries: [
        ...names.flatMap((name, i) =>
          values[i] === undefined ? [] : [[name, values[i]] as const],
        ),
        ...extras,
      ],
    }));
}

/** JSON texts that do not parse, or that parse only by accident. */
const brokenJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "{'email':'a'}",
    '{"a":1,}',
    '[1,]',
    'NaN',
    'undefined',
    '{"a":01}',
    '{"a":"\u0000"}',
    '{"a":"\\x41"}',
    '{a:1}',
    '"unterminated',
    '{"a":1}}',
    '{"a":1} trailing',
    '//c\n{}',
    '{"a"',
    '   ',
    '{"__proto__":',
    '[[[[[[[[',
  ),
  fc.tuple(fc.json(), fc.nat()).map(([text, cut]) => text.slice(0, cut % Math.max(text.length, 1))),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** Bodies just under and over the 32 KiB limit. */
const bigBody: fc.Arbitrary<BodySpec> = fc
  .integer({ min: 32 * 1024 - 64, max: 40 * 1024 })
  .map((size) => ({ kind: 'json', value: { entries: [['message', 'x'.repeat(size)]] } }));

/**
 * A request body for a route whose DTO has these fields (none for routes that take no body):
 * mostly objects near the DTO, also any JSON value at the top level, broken JSON, raw bytes
 * that are not UTF-8, no body at all, and bodies around the size limit.
 */
export function requestBody(
  fields: Readonly<Record<string, fc.Arbitrary<JsonTree>>> = {},
): fc.Arbitrary<BodySpec> {
  return fc.oneof(
    { weight: 16, arbitrary: dtoObject(fields).map((value) => ({ kind: 'json', value }) as const) },
    { weight: 3, arbitrary: jsonTree.map((value) => ({ kind: 'json', value }) as const) },
    { weight: 2, arbitrary: brokenJsonText.map((text) => ({ kind: 'text', text }) as const) },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ maxLength: 40 })
        .map((bytes) => ({ kind: 'bytes', bytes }) as const),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'none' } as const) },
    { weight: 1, arbitrary: bigBody },
  );
}

export const contentType: fc.Arbitrary<ContentTypeSpec> = fc.oneof(
  { weight: 20, arbitrary: fc.constant({ header: 'application/json', kind: 'json' } as const) },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom(
        'application/json; charset=utf-8',
        'application/json;charset=UTF-8',
        'APPLICATION/JSON',
      )
      .map((header) => ({ header, kind: 'json' }) as const),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('application/json; charset=latin1', 'application/json; charset=iso-8859-1')
      .map((header) => ({ header, kind: 'bad-charset' }) as const),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(
        undefined,
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'text/html; charset=utf-8',
      )
      .map((header) => ({ header, kind: 'other' }) as const),
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.constantFrom(
          '',
          '*/*',
          'application/vnd.api+json',
          'application/json; charset=utf-16',
          'json',
        ),
        headerText(30),
      )
      .map((header) => ({ header, kind: 'unknown' }) as const),
  },
);

/** Text Node lets into a header value: tab, printable ASCII and Latin-1. */
function headerText(maxLength: number, minLength = 0): fc.Arbitrary<string> {
  return fc.string({
    unit: char(
      fc.oneof(
        { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
        { weight: 1, arbitrary: fc.integer({ min: 0xa0, max: 0xff }) },
        { weight: 1, arbitrary: fc.constant(0x09) },
      ),
    ),
    minLength,
    maxLength,
  });
}

const base64url = (text: string) => Buffer.from(text).toString('base64url');

/** Things that look like a JWT and are not one. */
const garbageToken: fc.Arbitrary<string> = fc.oneof(
  headerText(60, 1),
  fc
    .tuple(fc.json(), fc.json(), fc.string({ maxLength: 40 }))
    .map(([header, payload, signature]) => [header, payload, signature].map(base64url).join('.')),
  fc.constantFrom('a.b.c', '..', 'null', 'eyJ', 'eyJhbGciOiJub25lIn0.e30.', 'x'.repeat(2000)),
);

/** Values for a claim of a token the test signs with the service's key. */
const claimValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.uuid(),
  fc.constantFrom(
    1e300,
    -1e300,
    -1,
    0,
    1.5,
    8.64e15 + 1,
    Number.MAX_SAFE_INTEGER,
    'access',
    'refresh',
    '',
  ),
);

export const token: fc.Arbitrary<TokenSpec> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ ref: 'userAccess' } as const) },
  { weight: 3, arbitrary: fc.constantFrom(...TOKEN_REFS).map((ref) => ({ ref })) },
  { weight: 3, arbitrary: fc.constantFrom(...TOKEN_FAULTS).map((forged) => ({ forged })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('sub', 'sid', 'jti', 'typ', 'iat', 'exp', 'nbf', 'iss', 'aud'),
        claimValue,
      )
      .map(([claim, value]) => ({ forged: 'claim', claim, value }) as const),
  },
  { weight: 2, arbitrary: garbageToken.map((garbage) => ({ garbage })) },
);

/** Authorization headers that are malformed, absent, or carry any token, valid or not. */
const hostileAuthorization: fc.Arbitrary<AuthorizationSpec | undefined> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  {
    weight: 12,
    arbitrary: fc.record({
      scheme: fc.oneof(
        { weight: 10, arbitrary: fc.constant('Bearer') },
        fc.constantFrom('bearer', 'BEARER', 'Basic', 'Token', 'JWT', 'Bearer:', 'Bearerx', ''),
      ),
      gap: fc.oneof(
        { weight: 10, arbitrary: fc.constant(' ') },
        fc.constantFrom('', '  ', '\t', ' \t'),
      ),
      token,
      trailer: fc.oneof(
        { weight: 10, arbitrary: fc.constant('') },
        fc.constantFrom(' ', ' x', ',', ' Bearer y', '\t'),
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.constantFrom(
          '',
          'Bearer',
          'Bearer ',
          'bearer',
          'Basic dXNlcjpwYXNz',
          'Bearer a b',
          'Bearer  x',
          'Bearer\tx',
          'Bearer null',
          'Bearer .',
        ),
        headerText(80),
      )
      .map((raw) => ({ raw })),
  },
);

/**
 * The Authorization header: mostly `Bearer <the route's valid token>`, so that most requests get
 * past authentication to validation and the use case; else any of the hostile ones.
 */
export function authorization(valid: TokenRef): fc.Arbitrary<AuthorizationSpec | undefined> {
  const validHeader = { scheme: 'Bearer', gap: ' ', token: { ref: valid }, trailer: '' };
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(validHeader) },
    { weight: 1, arbitrary: hostileAuthorization },
  );
}

/** Percent-encodes every byte but the unreserved ones; lone surrogates go as U+FFFD. */
function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) => {
      const c = String.fromCharCode(byte);
      return /[A-Za-z0-9\-._~]/.test(c)
        ? c
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/**
 * Hostile strings short enough that a URL made of a few of them, escaped and base64-encoded,
 * stays far below Node's 16 KiB header limit (past it Node answers 431 before the service).
 */
const urlText = fc.oneof(
  hostileString.filter((text) => Buffer.byteLength(text) <= 200),
  fc.integer({ min: 100, max: 1000 }).map((count) => 'a'.repeat(count)),
);

/** Segments sent without encoding: broken escapes, dot segments, encoded slashes and NULs. */
const RAW_SEGMENTS = [
  '%',
  '%zz',
  '%E0%A4%A',
  '%C0%AF',
  '%00',
  '%2F',
  '..',
  '.',
  '%2e%2e',
  'a%2Fb',
  ';',
  '%20',
  '+',
  '%F0%9F%98%80',
  '%ED%A0%80',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
];

/** Strings that are nearly UUIDs, for the id checks. */
const uuidLike = fc
  .tuple(
    fc.uuid(),
    fc.constantFrom('upper', 'braces', 'urn', 'extra', 'short', 'no-dashes', 'space'),
  )
  .map(([uuid, change]) => {
    switch (change) {
      case 'upper':
        return uuid.toUpperCase();
      case 'braces':
        return `{${uuid}}`;
      case 'urn':
        return `urn:uuid:${uuid}`;
      case 'extra':
        return `${uuid}0`;
      case 'short':
        return uuid.slice(1);
      case 'no-dashes':
        return uuid.replaceAll('-', '');
      default:
        return ` ${uuid}`;
    }
  });

/** A path parameter: one of the fixture's ids, a random or nearly valid UUID, or any text. */
export function pathParam(refs: readonly ParamRef[]): fc.Arbitrary<ParamSpec> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...refs).map((ref) => ({ ref })) },
    { weight: 2, arbitrary: fc.constantFrom(...refs).map((ref) => ({ ref, upperCase: true })) },
    { weight: 2, arbitrary: fc.uuid().map((raw) => ({ raw })) },
    { weight: 2, arbitrary: uuidLike.map((text) => ({ raw: percentEncode(text) })) },
    { weight: 3, arbitrary: urlText.map((text) => ({ raw: percentEncode(text) })) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS).map((raw) => ({ raw })) },
  );
}

const LIMIT_SAMPLES = [
  '',
  '0',
  '1',
  '100',
  '500',
  '501',
  '-1',
  '1.5',
  '1e2',
  '0x10',
  ' 1',
  '1 ',
  'NaN',
  'Infinity',
  '٣',
  '00010',
  '+5',
  '99999999999999999999',
  'true',
  '[]',
  'null',
];

export const limitValue = fc.oneof(
  fc.constantFrom(...LIMIT_SAMPLES),
  fc.integer({ min: -10, max: 600 }).map(String),
  urlText,
);

/** Cursors of both list routes' shapes, broken in small ways, and any text. */
export const cursorValue = fc.oneof(
  fc
    .tuple(
      fc.oneof(
        fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
        fc.constantFrom(
          '0000-01-01T00:00:00.000Z',
          '2026-02-30T00:00:00.000Z',
          '2026-13-01T25:61:61.999Z',
        ),
        urlText,
      ),
      fc.oneof(fc.uuid(), uuidLike, urlText),
    )
    .map((position) => base64url(JSON.stringify(position))),
  fc
    .tuple(
      fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 17n }).map(String), urlText),
      fc.oneof(fc.uuid(), uuidLike),
    )
    .map(([expiresAt, id]) => base64url(`${expiresAt}:${id}`)),
  fc.jsonValue({ maxDepth: 2 }).map((value) => base64url(JSON.stringify(value))),
  fc.integer({ min: 200, max: 700 }).map((count) => 'A'.repeat(count)),
  urlText,
);

/** Query strings sent as they are: broken escapes, repeated and bracketed keys, prototype keys. */
const RAW_QUERIES = [
  '%zz',
  'limit=%',
  'limit',
  '=',
  '&&',
  'limit=1&limit=2',
  'limit[]=1',
  'limit[a]=1',
  '__proto__[x]=1',
  'constructor[prototype][x]=1',
  'a=%00',
  'limit=1;cursor=x',
  'cursor=a&cursor=b',
  'email=a%40b.c&password=whatever',
];

/** A query string: pairs of the route's parameters and other keys, encoded or raw. */
export function queryString(
  known: Readonly<Record<string, fc.Arbitrary<string>>> = {},
): fc.Arbitrary<string> {
  const knownPairs = Object.entries(known).map(([key, value]) =>
    value.map((text) => [key, text] as const),
  );
  const otherPair = fc.tuple(
    fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS, 'limit[]', 'email', 'password', ''), urlText),
    urlText,
  );
  const pair = knownPairs.length
    ? fc.oneof(
        { weight: 4, arbitrary: fc.oneof(...knownPairs) },
        { weight: 1, arbitrary: otherPair },
      )
    : otherPair;
  const encoded = fc
    .array(pair, { maxLength: 3 })
    .map((pairs) =>
      pairs.map(([key, value]) => `${percentEncode(key)}=${percentEncode(value)}`).join('&'),
    );
  return fc.oneof(
    { weight: 6, arbitrary: encoded },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_QUERIES) },
  );
}

/** A syntactically valid email of this many characters, for the 254-character limit. */
const longEmail = (length: number) =>
  `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(length - 197)}.com`;

/** Valid-looking field values, boundaries included; `field()` mixes in the wrong ones. */
export const values = {
  name: fc.oneof(
    fc.constantFrom(
      'Ada',
      "O'Brien",
      'José',
      '李',
      'أحمد',
      ' Ada ',
      '   ',
      'x'.repeat(100),
      'x'.repeat(101),
      '😀'.repeat(100),
    ),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 100 }),
  ),
  email: fc.oneof(
    fc.emailAddress(),
    fc.constantFrom(
      ' Ada@Example.COM ',
      'a@b',
      'a@b.c',
      '@example.com',
      'a@',
      'a@@b.com',
      'a b@c.com',
      'a\u0000@b.com',
      'ada\uD800@example.com',
      'ü@exämple.com',
      '"quoted"@example.com',
      longEmail(254),
      longEmail(255),
    ),
    // Far past the limit, yet inside the body limit: login must not store it (its throttle key).
    fc.integer({ min: 255, max: 30_000 }).map((length) => `${'a'.repeat(length)}@example.com`),
    fc.constantFrom<JsonTree>({ ref: 'userEmail' }, { ref: 'userEmailShouted' }),
  ),
  newPassword: fc.oneof(
    fc.string({ minLength: 8, maxLength: 72 }),
    fc.constantFrom(
      'p'.repeat(7),
      'p'.repeat(8),
      'p'.repeat(72),
      'p'.repeat(73),
      'é'.repeat(36),
      'é'.repeat(37),
      '😀'.repeat(18),
      '😀'.repeat(19),
      'password\u0000tail',
    ),
  ),
  message: fc.oneof(
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 50 }),
    fc.constantFrom(
      'x'.repeat(1000),
      'x'.repeat(1001),
      '😀'.repeat(1000),
      '😀'.repeat(1001),
      '  a  ',
      ' ',
      'a\u0000b',
    ),
  ),
  /** The token of a mailed link: never one the service issued, so these routes cannot succeed. */
  mailedToken: fc.oneof(
    fc.base64String({ minLength: 40, maxLength: 48 }).map((text) => text.replace(/[+/=]/g, '_')),
    fc.string({ maxLength: 300 }),
    fc.constantFrom('', 'x'.repeat(256), 'x'.repeat(257), 'a\u0000b', '😀'.repeat(43)),
  ),
  ttlSeconds: fc.oneof(
    fc.integer({ min: 1, max: 86400 }).map((ttl) => ({ literal: String(ttl) })),
    fc
      .constantFrom('0', '-1', '86401', '1.5', '1e3', '1.0', '-0', '1e309')
      .map((literal) => ({ literal })),
  ),
};
