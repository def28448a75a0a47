import { randomUUID } from 'node:crypto';
import { MessagesService } from '../../src/messages';
import { Message } from '../../src/messages/domain/message';
import { bearer, registerAccount, type TestAccount } from './support/accounts';
import { expectError } from './support/expectations';
import { type LogLine, waitForLogLine } from './support/log-file';
import { expectRpcError, postRpc, rpcCall } from './support/rpc';
import { useTestApp } from './support/test-app';

const INVALID_REQUEST = -32600;

/** The access line of the request with this id. */
const accessLineOf = (requestId: string) => (line: LogLine) =>
  line.requestId === requestId && 'route' in line;

describe('JSON-RPC 2.0 protocol on POST /rpc', () => {
  const testApp = useTestApp({ RPC_MAX_BATCH: '4', LOG_LEVEL: 'info' });
  let account: TestAccount;

  beforeAll(async () => {
    account = await registerAccount(testApp);
  });

  describe('ids and notifications', () => {
    it.each([
      ['a string', 'call-7'],
      ['a number', 42],
      ['a fraction', 1.5],
      ['null', null],
    ])('echoes an id that is %s', async (_label, id) => {
      const response = await postRpc(testApp, rpcCall('message.list', { limit: 1 }, id));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        jsonrpc: '2.0',
        result: expect.objectContaining({ items: expect.any(Array) }),
        id,
      });
    });

    it('runs a notification and answers it with nothing (204)', async () => {
      const text = `notified ${Date.now()}`;
      const response = await postRpc(
        testApp,
        rpcCall('message.post', { message: text }),
        bearer(account.accessToken),
      );
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
      const list = await testApp.http.get('/messages?limit=500').expect(200);
      expect(list.body.items.map((item: { message: string }) => item.message)).toContain(text);
    });

    it('answers nothing to a failing notification or one of an unknown method', async () => {
      expect((await postRpc(testApp, rpcCall('user.me'))).status).toBe(204);
      expect((await postRpc(testApp, rpcCall('no.such.method', {}))).status).toBe(204);
    });

    it('does not run a read-only notification, whose answer would be thrown away', async () => {
      const text = `after reads ${Date.now()}`;
      await postRpc(
        testApp,
        [
          rpcCall('user.me'),
          rpcCall('auth.status'),
          rpcCall('message.get', { id: 'no-such-message' }),
          rpcCall('message.post', { message: text }),
        ],
        { ...bearer(account.accessToken), 'X-Request-Id': 'rpc-read-notifications' },
      );
      const logged = await waitForLogLine(testApp, accessLineOf('rpc-read-notifications'));
      expect(logged.calls).toEqual([
        { method: 'user.me', error: 'READ_ONLY_NOTIFICATION' },
        { method: 'auth.status', error: 'READ_ONLY_NOTIFICATION' },
        { method: 'message.get', error: 'READ_ONLY_NOTIFICATION' },
        { method: 'message.post' },
      ]);
    });
  });

  describe('batches', () => {
    it('answers each call in order, skipping notifications, whatever each outcome', async () => {
      const response = await postRpc(
        testApp,
        [
          rpcCall('user.me', undefined, 'me'),
          rpcCall('message.post', { message: 'from a batch' }),
          rpcCall('message.get', { id: 'no-such-message' }, 2),
          { jsonrpc: '2.0', method: 7, id: 3 },
        ],
        bearer(account.accessToken),
      );
      expect(response.status).toBe(200);
      expect(response.body).toHaveLength(3);
      const [me, missing, invalid] = response.body;
      expect(me).toEqual({
        jsonrpc: '2.0',
        result: expect.objectContaining({ id: account.id }),
        id: 'me',
      });
      expect(missing.id).toBe(2);
      expectRpcError(missing, 404, 'MESSAGE_NOT_FOUND');
      expect(invalid.id).toBe(3);
      expectRpcError(invalid, INVALID_REQUEST, 'INVALID_REQUEST');
    });

    it('answers a batch of notifications only with 204 and no body', async () => {
      const response = await postRpc(testApp, [
        rpcCall('message.list', {}),
        rpcCall('auth.status', {}),
      ]);
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
    });

    it('answers an empty batch with one Invalid Request', async () => {
      const response = await postRpc(testApp, []);
      expect(response.status).toBe(200);
      expect(response.body.id).toBeNull();
      expectRpcError(response.body, INVALID_REQUEST, 'INVALID_REQUEST');
    });

    it('answers each non-object element of a batch with its own Invalid Request', async () => {
      const response = await postRpc(testApp, [1, 'two', null]);
      expect(response.body).toHaveLength(3);
      for (const answer of response.body) {
        expect(answer.id).toBeNull();
        expectRpcError(answer, INVALID_REQUEST, 'INVALID_REQUEST');
      }
    });

    it('takes up to RPC_MAX_BATCH calls and refuses a longer batch whole', async () => {
      const calls = (count: number) =>
        Array.from({ length: count }, (_, i) => rpcCall('message.list', { limit: 1 }, i));
      const full = await postRpc(testApp, calls(4));
      expect(full.body).toHaveLength(4);

      const over = await postRpc(testApp, calls(5));
      expect(over.status).toBe(200);
      expect(over.body.id).toBeNull();
      expectRpcError(
        over.body,
        INVALID_REQUEST,
        'BATCH_TOO_LARGE',
        'A batch holds at most 4 calls.',
      );
    });
  });

  describe('what one batch may list', () => {
    it('caps the limits of its message.list calls at 500 in all, refusing the call past it', async () => {
      const response = await postRpc(testApp, [
        rpcCall('message.list', { limit: 300 }, 1),
        // The default limit, 100, counts as asked.
        rpcCall('message.list', {}, 2),
        rpcCall('message.list', { limit: 101 }, 3),
        rpcCall('message.list', { limit: 100 }, 4),
      ]);
      expect(response.status).toBe(200);
      const [first, second, refused, last] = response.body;
      for (const served of [first, second, last]) {
        expect(served.result).toEqual(expect.objectContaining({ items: expect.any(Array) }));
      }
      expect(refused.id).toBe(3);
      expectRpcError(
        refused,
        INVALID_REQUEST,
        'BATCH_QUOTA_EXCEEDED',
        'The message.list calls of one batch may ask for 500 messages in all, and this one would make 501; send it in another batch.',
      );
    });

    it('leaves a single call to the REST maximum of its limit', async () => {
      const over = await postRpc(testApp, rpcCall('message.list', { limit: 501 }, 1));
      expectRpcError(over.body, -32602, 'VALIDATION_FAILED');
      const full = await postRpc(testApp, rpcCall('message.list', { limit: 500 }, 2));
      expect(full.body.result.items).toEqual(expect.any(Array));
    });
  });

  describe('error codes of the specification', () => {
    it('-32700: an unparsable body, answered 200 with a null id', async () => {
      const response = await testApp.http
        .post('/rpc')
        .set('Content-Type', 'application/json')
        .send('{"jsonrpc": "2.0", "method": ');
      expect(response.status).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toEqual({
        jsonrpc: '2.0',
        error: {
          code: -32700,
          message: 'Parse error',
          data: { code: 'MALFORMED_JSON', message: 'Request body is not valid JSON.' },
        },
        id: null,
      });
    });

    it.each([
      ['a number', 1, null],
      ['null', null, null],
      ['an empty object', {}, null],
      ['no jsonrpc', { method: 'user.me', id: 1 }, 1],
      ['jsonrpc "1.0"', { jsonrpc: '1.0', method: 'user.me', id: 1 }, 1],
      ['a method that is not a string', { jsonrpc: '2.0', method: 1, id: 'x' }, 'x'],
      ['params that are a string', { jsonrpc: '2.0', method: 'user.me', params: 'a', id: 2 }, 2],
      ['params that are null', { jsonrpc: '2.0', method: 'user.me', params: null, id: 2 }, 2],
      ['an id that is an object', { jsonrpc: '2.0', method: 'user.me', id: { a: 1 } }, null],
      ['an id that is a boolean', { jsonrpc: '2.0', method: 'user.me', id: true }, null],
      ['an unknown member', { jsonrpc: '2.0', method: 'user.me', id: 3, extra: 1 }, 3],
    ])('-32600: a request that is %s', async (_label, body, id) => {
      const response = await postRpc(testApp, body);
      expect(response.status).toBe(200);
      expect(response.body.id).toEqual(id);
      expectRpcError(response.body, INVALID_REQUEST, 'INVALID_REQUEST');
    });

    it.each(['no.such.method', 'toString', '__proto__', 'rpc.discover', 'USER.ME'])(
      '-32601: the method %p',
      async (method) => {
        const response = await postRpc(testApp, rpcCall(method, {}, 9));
        expect(response.body.id).toBe(9);
        expectRpcError(response.body, -32601, 'METHOD_NOT_FOUND');
      },
    );

    it('-32602: params by position, unknown params, and the REST validation details', async () => {
      const byPosition = await postRpc(testApp, rpcCall('message.list', [10], 1));
      expectRpcError(byPosition.body, -32602, 'VALIDATION_FAILED');

      const unknown = await postRpc(
        testApp,
        rpcCall('user.me', { verbose: true }, 2),
        bearer(account.accessToken),
      );
      expectRpcError(unknown.body, -32602, 'VALIDATION_FAILED');
      expect(unknown.body.error.data.details).toEqual([
        { field: 'verbose', messages: ['property verbose should not exist'] },
      ]);

      const registration = {
        firstName: '',
        lastName: 'L',
        email: 'not-an-email',
        password: 'short',
      };
      const rest = await testApp.http.post('/auth/register').send(registration);
      expectError(rest, 400, 'VALIDATION_FAILED');
      const rpc = await postRpc(testApp, rpcCall('user.register', registration, 3));
      expect(rpc.body.error).toEqual({
        code: -32602,
        message: 'Invalid params',
        data: { code: 'VALIDATION_FAILED', message: rest.body.message, details: rest.body.details },
      });
    });

    it('-32603: an unexpected failure, without its internals', async () => {
      const messages = testApp.app.get(MessagesService);
      const spy = jest
        .spyOn(messages, 'list')
        .mockRejectedValueOnce(new Error('secret detail at /srv/app/store.ts:12'));
      try {
        const response = await postRpc(testApp, rpcCall('message.list', {}, 'boom'));
        expect(response.status).toBe(200);
        expect(response.body).toEqual({
          jsonrpc: '2.0',
          error: {
            code: -32603,
            message: 'Internal error',
            data: { code: 'INTERNAL_ERROR', message: 'Internal server error.' },
          },
          id: 'boom',
        });
      } finally {
        spy.mockRestore();
      }
    });
  });

  describe('the HTTP exchange', () => {
    it('refuses an oversized body unread, as REST does (413)', async () => {
      const response = await postRpc(
        testApp,
        rpcCall('message.post', { message: 'x'.repeat(33 * 1024) }, 1),
      );
      expectError(response, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('refuses a body that is not JSON, as REST does (415)', async () => {
      const response = await testApp.http
        .post('/rpc')
        .set('Content-Type', 'text/plain')
        .send('{"jsonrpc":"2.0"}');
      expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('logs one access line listing each call and its outcome, without params', async () => {
      await postRpc(
        testApp,
        [
          rpcCall('message.list', {}, 1),
          rpcCall('user.login', { email: 'a@b.c', password: 'pw-secret' }, 2),
        ],
        { 'X-Request-Id': 'rpc-log-line-1' },
      );
      const logged = await waitForLogLine(testApp, accessLineOf('rpc-log-line-1'));
      expect(logged).toEqual(
        expect.objectContaining({
          route: '/rpc',
          status: 200,
          calls: [
            { method: 'message.list' },
            { method: 'user.login', error: 'INVALID_CREDENTIALS' },
          ],
        }),
      );
      expect(JSON.stringify(logged)).not.toContain('pw-secret');
    });

    it('is described in the OpenAPI document', async () => {
      const document = await testApp.http.get('/docs-json').expect(200);
      const operation = document.body.paths['/rpc'].post;
      expect(Object.keys(operation.responses).sort()).toEqual(['200', '204', '413', '415', '503']);
      expect(operation.requestBody.content['application/json'].schema.oneOf).toHaveLength(2);
      expect(document.body.components.schemas.JsonRpcRequestDto.properties.method.enum).toEqual(
        expect.arrayContaining(['user.register', 'message.delete']),
      );
    });
  });
});

describe('JSON-RPC batches whose answers grow large', () => {
  const testApp = useTestApp({ REDIS_KEY_PREFIX: `tm-test-rpc-budget-${Date.now()}:` });

  beforeAll(async () => {
    const author = await registerAccount(testApp);
    // 500 messages of 1,000 characters: one full page answers about 0.6 MB.
    for (let chunk = 0; chunk < 10; chunk++) {
      await Promise.all(
        Array.from({ length: 50 }, () =>
          testApp.http
            .post('/messages')
            .set(bearer(author.accessToken))
            .send({ message: 'x'.repeat(1000) })
            .expect(201),
        ),
      );
    }
  });

  // Found in review: 50 full pages in one batch held ~200 MB until the batch was answered.
  it('serves one full page per batch, and refuses the pages past it', async () => {
    const calls = Array.from({ length: 49 }, (_, id) =>
      rpcCall('message.list', { limit: 500 }, id),
    );
    calls.push(rpcCall('message.list', { limit: 500 }));
    const response = await postRpc(testApp, calls);
    expect(response.status).toBe(200);
    const answers = response.body as { id: number; result?: { items: unknown[] } }[];
    // The notification is answered with nothing, ran or not.
    expect(answers).toHaveLength(49);
    expect(answers[0]!.result!.items).toHaveLength(500);
    for (const answer of answers.slice(1)) {
      expectRpcError(answer, INVALID_REQUEST, 'BATCH_QUOTA_EXCEEDED');
    }
    expect(answers.map((answer) => answer.id)).toEqual(calls.slice(0, 49).map((call) => call.id));
  });

  it('counts what notifications would have answered, so they stop at the budget as calls do', async () => {
    const author = await registerAccount(testApp);
    const messages = testApp.app.get(MessagesService);
    // Answers large enough to reach the budget: no real method answers that much any more.
    const post = jest.spyOn(messages, 'post').mockImplementation(async (poster) =>
      Message.restore({
        id: randomUUID(),
        text: 'x'.repeat(1_500_000),
        authorId: poster.id,
        authorEmail: author.email,
        createdAt: new Date(),
        expiresAt: new Date(Date.now() + 60_000),
      }),
    );
    try {
      const response = await postRpc(
        testApp,
        [
          ...[1, 2, 3, 4, 5].map((n) => rpcCall('message.post', { message: `notified ${n}` })),
          rpcCall('user.me', undefined, 'after'),
        ],
        bearer(author.accessToken),
      );
      // Three answers of 1.5 MB pass the 4 MiB budget: the calls after them are not run.
      expect(post).toHaveBeenCalledTimes(3);
      expect(response.status).toBe(200);
      expect(response.body).toHaveLength(1);
      expect(response.body[0].id).toBe('after');
      expectRpcError(response.body[0], INVALID_REQUEST, 'BATCH_ANSWER_TOO_LARGE');
    } finally {
      post.mockRestore();
    }
  });
});
