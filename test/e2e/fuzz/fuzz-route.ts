import { randomUUID } from 'node:crypto';
import { Agent, STATUS_CODES } from 'node:http';
import fc from 'fast-check';
import type { Response } from 'supertest';
import { bearer } from '../support/accounts';
import { type AppUnderTest, useTestApp } from '../support/test-app';
import {
  authorization,
  type AuthorizationSpec,
  type BodySpec,
  contentType,
  type ContentTypeSpec,
  type JsonTree,
  type ParamRef,
  type ParamSpec,
  pathParam,
  queryString,
  requestBody,
} from './arbitraries';
import { FuzzFixture } from './fixture';
import { expectedFailures, type SentParts } from './oracle';
import { type Snapshot, StoredState } from './stored-state';

/**
 * Generated requests per route. CI runs the default; FUZZ_RUNS=100 gives a quick local pass.
 * Seeds are random; a failure prints its seed and path, which FUZZ_SEED and FUZZ_PATH replay
 * (with `-t '<route>'` to pick the failing route).
 */
const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const REPLAY = process.env.FUZZ_SEED
  ? { seed: Number(process.env.FUZZ_SEED), path: process.env.FUZZ_PATH }
  : {};
const ROUTE_TIMEOUT_MS = 120_000;
const KEEP_ALIVE = new Agent({ keepAlive: true });

export interface FuzzRoute {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** `:id` is the generated path parameter. */
  readonly path: string;
  readonly access: 'public' | 'user' | 'admin';
  /** The body DTO's fields with their valid values; absent when the route reads no body. */
  readonly body?: Readonly<Record<string, fc.Arbitrary<JsonTree>>>;
  /** The query DTO's parameters with their values. */
  readonly query?: Readonly<Record<string, fc.Arbitrary<string>>>;
  /** The fixture's ids the path parameter may name. */
  readonly params?: readonly ParamRef[];
  /** Puts the fixture back after a request that succeeded, e.g. signs in again after a logout. */
  readonly afterSuccess?: (fixture: FuzzFixture, exchange: Exchange) => Promise<void> | void;
}

interface FuzzRequest {
  readonly authorization: AuthorizationSpec | undefined;
  readonly contentType: ContentTypeSpec;
  readonly body: BodySpec;
  readonly query: string;
  readonly param: ParamSpec | undefined;
}

export interface Exchange {
  readonly request: FuzzRequest;
  readonly url: string;
  /** False when the path parameter may not reach the route at all (see isPlainSegment). */
  readonly routed: boolean;
  readonly sent: SentParts;
  readonly response: Response;
}

const ERROR_FIELDS = ['code', 'error', 'message', 'statusCode'];
/** What must never reach a client: stack frames, file paths, library, driver and V8 messages. */
const INTERNALS = new RegExp(
  [
    String.raw`\bat \S+ \(`,
    'node_modules',
    String.raw`\.[jt]s:\d+`,
    'QueryFailed',
    'TypeORM',
    'ReplyError',
    'ioredis',
    'invalid input syntax',
    'violates',
    'duplicate key',
    'Cannot read propert',
    'is not a function',
    'Unexpected token',
    'Unexpected end of JSON',
    'in JSON at position',
    'TypeError',
    'RangeError',
    'SyntaxError',
  ].join('|'),
);

/**
 * One describe block per module: boots the app on its own Redis key prefix, makes the fixture,
 * and fuzzes each route in its own test.
 */
export function describeFuzz(title: string, routes: readonly FuzzRoute[]): void {
  describe(title, () => {
    let fixture: FuzzFixture;
    let store: StoredState;
    // The store's own Redis connection goes before the app.
    afterAll(() => store?.close());
    const testApp = useTestApp(
      {
        // Thousands of failed password checks must not turn into 429s that hide the other layers.
        LOGIN_MAX_FAILURES: '1000000',
        // A log line per request costs a fifth of a cheap one; 500s are still logged, with stacks.
        LOG_LEVEL: 'error',
        REDIS_KEY_PREFIX: `tm-test-fuzz-${randomUUID()}:`,
        // The prune job deletes rows on its own; the stored-state check must see only requests.
        BLACKLIST_PRUNE_CRON: '0 0 1 1 *',
      },
      // One listening server, instead of one per request (requests share kept-alive sockets).
      { listen: true },
    );

    beforeAll(async () => {
      fixture = await FuzzFixture.create(testApp);
      store = StoredState.open(testApp);
    });

    // Proves the stored-state check real: a new session and a new message both show.
    it('notices a stored session and a stored message', async () => {
      const before = await store.snapshot();
      store.expectUnchanged(before, await store.snapshot());
      await fixture.renew('user');
      await testApp.http
        .post('/messages')
        .set(bearer(fixture.tokenText({ ref: 'userAccess' })))
        .send({ message: 'seen' })
        .expect(201);
      const after = await store.snapshot();
      expect(after.tables.sessions).not.toBe(before.tables.sessions);
      expect(after.messages.size).toBe(before.messages.size + 1);
      expect(() => store.expectUnchanged(before, after)).toThrow();
    });

    for (const route of routes) {
      it(
        `${route.method} ${route.path}`,
        () => fuzzRoute(testApp, fixture, store, route),
        ROUTE_TIMEOUT_MS,
      );
    }
  });
}

async function fuzzRoute(
  testApp: AppUnderTest,
  fixture: FuzzFixture,
  store: StoredState,
  route: FuzzRoute,
): Promise<void> {
  const requests: fc.Arbitrary<FuzzRequest> = fc.record({
    authorization: authorization(route.access === 'admin' ? 'adminAccess' : 'userAccess'),
    contentType,
    body: route.method === 'GET' ? fc.constant({ kind: 'none' } as const) : requestBody(route.body),
    query: queryString(route.query),
    param: route.path.includes(':id') ? pathParam(route.params ?? []) : fc.constant(undefined),
  });
  // After a rejected request the store is as before it, so its snapshot serves the next run.
  let current: Snapshot | undefined;

  await fc.assert(
    fc.asyncProperty(requests, async (request) => {
      const before = current ?? (await store.snapshot());
      current = undefined;
      const exchange = await send(testApp, fixture, route, request);

      try {
        expectContractResponse(exchange.response);
        const expected =
          exchange.routed &&
          expectedFailures(
            { access: route.access, bodyFields: route.body && Object.keys(route.body) },
            request,
            exchange.sent,
          );
        if (expected) {
          const { status, body } = exchange.response;
          expect(expected).toContainEqual({ status, code: body?.code });
        }
        if (isSuccess(exchange.response)) {
          await route.afterSuccess?.(fixture, exchange);
          return;
        }
        const after = await store.snapshot();
        store.expectUnchanged(before, after);
        current = after;
      } catch (error) {
        throw new Error(`${describeExchange(route, exchange)}\n${(error as Error).message}`, {
          cause: error,
        });
      }
    }),
    { numRuns: NUM_RUNS, ...REPLAY },
  );
}

async function send(
  testApp: AppUnderTest,
  fixture: FuzzFixture,
  route: FuzzRoute,
  request: FuzzRequest,
): Promise<Exchange> {
  const param = request.param && fixture.paramText(request.param);
  const path = param === undefined ? route.path : route.path.replace(':id', param);
  const url = request.query ? `${path}?${request.query}` : path;
  const token =
    request.authorization && 'token' in request.authorization
      ? fixture.tokenText(request.authorization.token)
      : undefined;
  const sent: SentParts = {
    body: bodyBytes(fixture, request.body),
    authorization: headerValue(request.authorization, token),
    token,
  };
  let test =
    testApp.http[route.method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete'](url).agent(
      KEEP_ALIVE,
    );
  if (sent.authorization !== undefined) test = test.set('Authorization', sent.authorization);
  if (request.contentType.header !== undefined)
    test = test.set('Content-Type', request.contentType.header);
  // superagent would JSON-encode a Buffer sent as application/json: the bytes go as they are.
  if (sent.body.length > 0) test = test.serialize((bytes) => bytes).send(sent.body);
  const routed = param === undefined || isPlainSegment(param);
  return { request, url, routed, sent, response: await test };
}

/**
 * A segment every router hands to the route as its parameter. An empty or dot segment, a slash
 * or a broken escape may make another route or a router's own error answer, which the contract
 * leaves open; such requests are held to the properties of every response only.
 */
function isPlainSegment(segment: string): boolean {
  try {
    const decoded = decodeURIComponent(segment);
    return decoded !== '' && decoded !== '.' && decoded !== '..' && !decoded.includes('/');
  } catch {
    return false;
  }
}

/** A success hook for routes that end the caller's session: the caller signs in again. */
export async function renewCaller(fixture: FuzzFixture, { request }: Exchange): Promise<void> {
  const spec = request.authorization;
  const caller = spec && 'token' in spec ? fixture.principalOf(spec.token) : undefined;
  if (caller) await fixture.renew(caller);
}

function bodyBytes(fixture: FuzzFixture, body: BodySpec): Buffer {
  switch (body.kind) {
    case 'none':
      return Buffer.alloc(0);
    case 'json':
      return Buffer.from(fixture.jsonText(body.value));
    case 'text':
      return Buffer.from(body.text);
    case 'bytes':
      return Buffer.from(body.bytes);
  }
}

function headerValue(
  spec: AuthorizationSpec | undefined,
  token: string | undefined,
): string | undefined {
  if (!spec) return undefined;
  return 'raw' in spec ? spec.raw : `${spec.scheme}${spec.gap}${token}${spec.trailer}`;
}

const isSuccess = (response: Response) => response.status >= 200 && response.status < 300;

/**
 * Every response: never a 5xx (PostgreSQL and Redis are up); a failure is a 4xx with exactly the
 * error body of API.md, its statusCode the HTTP status, and nothing internal in it.
 */
function expectContractResponse(response: Response): void {
  expect(response.status).toBeLessThan(500);
  if (isSuccess(response)) return;
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.headers['content-type']).toMatch(/^application\/json\b/);
  const body = response.body as Record<string, unknown>;
  const validation = body.code === 'VALIDATION_FAILED';
  expect(Object.keys(body).sort()).toEqual(
    validation ? [...ERROR_FIELDS, 'details'].sort() : ERROR_FIELDS,
  );
  expect(body).toEqual({
    statusCode: response.status,
    error: STATUS_CODES[response.status],
    code: expect.stringMatching(/^[A-Z][A-Z_]*$/),
    message: expect.any(String),
    ...(validation && {
      details: expect.arrayContaining([{ field: expect.any(String), messages: expect.any(Array) }]),
    }),
  });
  expect(response.text).not.toMatch(INTERNALS);
  if (response.status === 401) expect(response.headers['www-authenticate']).toMatch(/^Bearer\b/);
  if (response.status === 429) expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
}

/** The concrete request and response, so a counterexample can be replayed by hand. */
function describeExchange(route: FuzzRoute, { url, sent, request, response }: Exchange): string {
  const clip = (text: string) =>
    text.length > 600 ? `${text.slice(0, 600)}… (${text.length} chars)` : text;
  const headers = {
    ...(sent.authorization !== undefined && { Authorization: sent.authorization }),
    ...(request.contentType.header !== undefined && { 'Content-Type': request.contentType.header }),
  };
  return [
    `${route.method} ${clip(url)}`,
    `headers: ${clip(JSON.stringify(headers))}`,
    `body: ${clip(JSON.stringify(sent.body.toString('utf8')))}`,
    `→ ${response.status} ${clip(response.text ?? '')}`,
  ].join('\n');
}
