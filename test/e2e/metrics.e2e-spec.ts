import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { bearer, registerAccount, type TestAccount, uniqueEmail } from './support/accounts';
import { openEventStream } from './support/event-stream';
import { expectError, expectTooManyRequests } from './support/expectations';
import { UUID } from './support/formats';
import { eventually } from './support/polling';
import { type Labels, type Scrape, scrapeMetrics } from './support/prometheus';
import { callRpc } from './support/rpc';
import { startTestApp, useTestApp } from './support/test-app';

const REQUEST_COUNT = 'http_server_request_duration_seconds_count';
const PASSWORD = 'correct horse battery';

/** The label sets of a series, each as one comparable string. */
const labelSets = (scrape: Scrape, name: string) =>
  new Set(scrape.series(name).map((sample) => JSON.stringify(sample.labels)));

describe('Prometheus metrics', () => {
  const testApp = useTestApp(
    {
      LOGIN_MAX_FAILURES: '2',
      SSE_MAX_CLIENTS_PER_IP: '1',
      REDIS_KEY_PREFIX: `tm-test-metrics-${randomUUID()}:`,
    },
    { listen: true },
  );
  let ada: TestAccount;

  beforeAll(async () => {
    ada = await registerAccount(testApp, { password: PASSWORD });
  });

  /** How far each series moved while `traffic` ran. */
  async function movement(traffic: () => Promise<unknown>) {
    const before = await scrapeMetrics(testApp);
    await traffic();
    const after = await scrapeMetrics(testApp);
    return (name: string, labels: Labels = {}) =>
      after.value(name, labels) - before.value(name, labels);
  }

  it('serves Prometheus text on a listener of its own, with the process metrics', async () => {
    const response = await fetch(testApp.metricsUrl());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const scrape = await scrapeMetrics(testApp);
    for (const processMetric of [
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
      'process_cpu_seconds_total',
    ]) {
      expect(scrape.series(processMetric)).toHaveLength(1);
    }
    expect(new URL(testApp.metricsUrl()).port).not.toBe(new URL(await testApp.listen()).port);
    expect((await fetch(new URL('/health', testApp.metricsUrl()))).status).toBe(404);
  });

  it('is not served on the public port', async () => {
    expectError(await testApp.http.get('/metrics'), 404, 'NOT_FOUND');
  });

  it('times each request under its route template, whoever answered it', async () => {
    const posted = await testApp.http
      .post('/messages')
      .set(bearer(ada.accessToken))
      .send({ message: 'Counted', ttlSeconds: 60 })
      .expect(201);
    const moved = await movement(async () => {
      await testApp.http.get(`/messages/${posted.body.id}`).expect(200);
      await testApp.http.get(`/messages/${randomUUID()}`).expect(404);
      // Refused by a guard, before any handler.
      await testApp.http.get('/users/me').expect(401);
      await testApp.http.get(`/no-such-route/${randomUUID()}`).expect(404);
    });

    const byId = { method: 'GET', route: '/messages/:id' };
    expect(moved(REQUEST_COUNT, { ...byId, status_code: '200' })).toBe(1);
    expect(moved(REQUEST_COUNT, { ...byId, status_code: '404' })).toBe(1);
    expect(moved(REQUEST_COUNT, { method: 'GET', route: '/users/me', status_code: '401' })).toBe(1);
    expect(moved(REQUEST_COUNT, { method: 'GET', route: 'unmatched', status_code: '404' })).toBe(1);

    const scrape = await scrapeMetrics(testApp);
    const [slowest] = scrape.series('http_server_request_duration_seconds_bucket', {
      ...byId,
      status_code: '200',
      le: '+Inf',
    });
    expect(slowest.value).toBe(scrape.value(REQUEST_COUNT, { ...byId, status_code: '200' }));
    expect(
      scrape.value('http_server_request_duration_seconds_sum', { ...byId, status_code: '200' }),
    ).toBeGreaterThan(0);
  });

  it('counts auth events by their contract names', async () => {
    const moved = await movement(async () => {
      await testApp.http
        .post('/auth/login')
        .send({ email: ada.email, password: PASSWORD })
        .expect(200);
      await testApp.http
        .post('/auth/login')
        .send({ email: ada.email, password: 'not the password' })
        .expect(401);
      // A success resets the email's failure count, so the wrong one above throttles nothing.
      await testApp.http
        .post('/auth/login')
        .send({ email: ada.email, password: PASSWORD })
        .expect(200);
    });
    const events = 'tempmessenger_auth_events_total';
    expect(moved(events, { event: 'login.succeeded' })).toBe(2);
    expect(moved(events, { event: 'login.failed' })).toBe(1);
    expect(moved(events, { event: 'refresh.reused' })).toBe(0);
  });

  it('counts a throttled request under its limiter', async () => {
    const email = uniqueEmail('throttled');
    const moved = await movement(async () => {
      for (let attempt = 0; attempt < 2; attempt++) {
        await testApp.http.post('/auth/login').send({ email, password: 'guess' }).expect(401);
      }
      expectTooManyRequests(
        await testApp.http.post('/auth/login').send({ email, password: 'guess' }),
        testApp.config.throttling.loginFailureWindowSeconds,
      );
    });
    expect(moved('tempmessenger_throttled_total', { limiter: 'login-failures' })).toBe(1);
    expect(moved('tempmessenger_throttled_total')).toBe(1);
  });

  it('counts posted messages, over REST and JSON-RPC', async () => {
    const moved = await movement(async () => {
      await testApp.http
        .post('/messages')
        .set(bearer(ada.accessToken))
        .send({ message: 'Over REST', ttlSeconds: 60 })
        .expect(201);
      const reply = await callRpc(
        testApp,
        'message.post',
        { message: 'Over JSON-RPC', ttlSeconds: 60 },
        bearer(ada.accessToken),
      );
      expect(reply.result).toEqual(expect.objectContaining({ message: 'Over JSON-RPC' }));
    });
    expect(moved('tempmessenger_messages_posted_total')).toBe(2);
  });

  it('counts open message streams, and the streams refused past the per-address cap', async () => {
    const url = `${await testApp.listen()}/messages/stream`;
    const sseClients = async () =>
      (await scrapeMetrics(testApp)).value('tempmessenger_sse_clients');
    const stream = await openEventStream(url);
    try {
      expect(stream.status).toBe(200);
      await eventually(sseClients).toBe(1);
      const moved = await movement(async () => {
        const refused = await openEventStream(url);
        expect(refused.status).toBe(429);
      });
      expect(moved('tempmessenger_throttled_total', { limiter: 'streams-per-address' })).toBe(1);
    } finally {
      await stream.close();
    }
    await eventually(sseClients).toBe(0);
  });

  it('reports PostgreSQL and Redis up, the pool, and Redis commands by name', async () => {
    await testApp.http.get('/messages?limit=5').expect(200);
    const scrape = await scrapeMetrics(testApp);
    expect(scrape.value('tempmessenger_dependency_up', { dependency: 'database' })).toBe(1);
    expect(scrape.value('tempmessenger_dependency_up', { dependency: 'redis' })).toBe(1);
    expect(scrape.value('tempmessenger_database_pool_connections')).toBeGreaterThanOrEqual(1);
    expect(scrape.series('tempmessenger_database_pool_idle_connections')).toHaveLength(1);
    expect(scrape.value('tempmessenger_database_pool_waiting')).toBe(0);
    expect(scrape.value('tempmessenger_bcrypt_in_flight')).toBe(0);

    const commands = scrape
      .series('tempmessenger_redis_command_duration_seconds_count')
      .map((sample) => sample.labels.command);
    // A page is read by one script and one MGET.
    expect(commands).toEqual(expect.arrayContaining(['evalsha', 'mget']));
    for (const command of commands) expect(command).toMatch(/^[a-z]+$/);
  });

  it('keeps the label sets bounded after 1,000 requests to distinct message ids', async () => {
    const base = await testApp.listen();
    const ids = Array.from({ length: 1000 }, () => randomUUID());
    const before = await scrapeMetrics(testApp);
    // In waves of 50, so the requests overlap without queueing a thousand sockets.
    for (let wave = 0; wave < ids.length; wave += 50) {
      const statuses = await Promise.all(
        ids
          .slice(wave, wave + 50)
          .map(async (id) => (await fetch(`${base}/messages/${id}`)).status),
      );
      expect(new Set(statuses)).toEqual(new Set([404]));
    }
    const after = await scrapeMetrics(testApp);

    const added = [...labelSets(after, REQUEST_COUNT)].filter(
      (labels) => !labelSets(before, REQUEST_COUNT).has(labels),
    );
    expect(added.length).toBeLessThanOrEqual(1);
    expect(
      after.value(REQUEST_COUNT, { method: 'GET', route: '/messages/:id', status_code: '404' }) -
        before.value(REQUEST_COUNT, { method: 'GET', route: '/messages/:id', status_code: '404' }),
    ).toBe(1000);
    const labelValues = after.samples.flatMap((sample) => Object.values(sample.labels));
    expect(labelValues.filter((value) => UUID.test(value) || value.includes('@'))).toEqual([]);
  });
});

describe('Prometheus metrics with Redis unreachable', () => {
  // Port 1 on loopback: nothing listens there, so every connection is refused.
  const testApp = useTestApp({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_CONNECT_TIMEOUT: '1s' });

  it('reports redis down and the database up, at scrape time', async () => {
    const scrape = await scrapeMetrics(testApp);
    expect(scrape.value('tempmessenger_dependency_up', { dependency: 'redis' })).toBe(0);
    expect(scrape.value('tempmessenger_dependency_up', { dependency: 'database' })).toBe(1);
  });
});

describe('The metrics listener at start', () => {
  let blocker: Server;

  beforeAll(async () => {
    blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
  });
  afterAll(() => new Promise((resolve) => blocker.close(resolve)));

  it('stops the start with an error naming METRICS_PORT when the port is taken', async () => {
    const { port } = blocker.address() as AddressInfo;
    await expect(startTestApp({ METRICS_PORT: String(port) })).rejects.toThrow(
      `METRICS_PORT ${port} is already in use on 127.0.0.1`,
    );
  });

  it('opens no listener with METRICS_ENABLED=false', async () => {
    const app = await startTestApp({ METRICS_ENABLED: 'false' });
    try {
      expect(() => app.metricsUrl()).toThrow('Metrics are off');
      await app.http.get('/health').expect(200);
    } finally {
      await app.close();
    }
  });
});
