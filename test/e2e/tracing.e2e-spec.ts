import { randomBytes, randomUUID } from 'node:crypto';
import { bearer, uniqueEmail } from './support/accounts';
import { waitForLogLine } from './support/log-file';
import {
  attributeOf,
  descendsFrom,
  OtlpReceiver,
  type ReceivedSpan,
  SPAN_KIND_SERVER,
} from './support/otlp-receiver';
import { sleep, until } from './support/polling';
import { type ServiceProcess, useServiceProcess } from './support/service-process';

/** The service's spans reach the receiver within this: the batch is sent every 100 ms. */
const EXPORT_SETTINGS = { OTEL_BSP_SCHEDULE_DELAY: '100' };
const EXPORT_WAIT_MS = 5000;

/**
 * OpenTelemetry traces, seen from outside: the built service runs as a child process (the SDK
 * patches modules as they load, which jest's module sandbox hides) and exports OTLP/JSON to a
 * receiver in the test.
 */
describe('tracing', () => {
  const receiver = new OtlpReceiver();
  let endpoint: string;
  beforeAll(async () => {
    endpoint = await receiver.start();
  });
  afterAll(() => receiver.stop());

  describe('on', () => {
    const service = useServiceProcess(() => ({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      ...EXPORT_SETTINGS,
    }));

    it('makes one trace of a GET /users/me: the HTTP span, and under it the Redis MGET and the PostgreSQL query', async () => {
      // A fresh user's first call: its auth state is not cached yet, so PostgreSQL is read too.
      const token = await registeredUserToken(service);
      const requestId = `trace-${randomUUID()}`;
      await getMe(service, token, { 'X-Request-Id': requestId });

      const line = await waitForLogLine(service, (each) => each.requestId === requestId);
      expect(line.traceId).toMatch(/^[0-9a-f]{32}$/);
      const server = await serverSpanOf(line.traceId as string);
      // The line was written while the request's span was the active one.
      expect(line.spanId).toBe(server.spanId);
      expect(server.name).toBe('GET /users/me');
      expect(attributeOf(server, 'http.route')).toBe('/users/me');

      await until(
        () =>
          [redisGet(), postgresQuery()].every((find) =>
            find(receiver.spansOfTrace(server.traceId)),
          ),
        EXPORT_WAIT_MS,
      );
      const trace = receiver.spansOfTrace(server.traceId);
      expect(trace.filter((span) => span.kind === SPAN_KIND_SERVER)).toEqual([server]);
      expect(descendsFrom(redisGet()(trace)!, server, trace)).toBe(true);
      expect(descendsFrom(postgresQuery()(trace)!, server, trace)).toBe(true);
    });

    it('continues the trace of an incoming traceparent', async () => {
      const token = await registeredUserToken(service);
      const traceId = randomBytes(16).toString('hex');
      const callerSpanId = randomBytes(8).toString('hex');
      await getMe(service, token, { traceparent: `00-${traceId}-${callerSpanId}-01` });

      const server = await serverSpanOf(traceId);
      expect(server.parentSpanId).toBe(callerSpanId);
      expect(server.name).toBe('GET /users/me');
    });

    it("follows a caller that did not sample its trace: no span is exported, the log line keeps the caller's traceId", async () => {
      const token = await registeredUserToken(service);
      const traceId = randomBytes(16).toString('hex');
      const requestId = `unsampled-${randomUUID()}`;
      const unsampled = `00-${traceId}-${randomBytes(8).toString('hex')}-00`;
      await getMe(service, token, { 'X-Request-Id': requestId, traceparent: unsampled });

      const line = await waitForLogLine(service, (each) => each.requestId === requestId);
      expect(line.traceId).toBe(traceId);
      // Spans are exported in the order they end: once the span of a sampled request made after
      // it has arrived, any span of the unsampled request would have arrived too.
      const sampledTraceId = randomBytes(16).toString('hex');
      await getMe(service, token, { traceparent: traceparentOf(sampledTraceId) });
      await serverSpanOf(sampledTraceId);
      expect(receiver.spansOfTrace(traceId)).toEqual([]);
    });

    it('records the method, path and status of a request, never its query string', async () => {
      const token = await registeredUserToken(service);
      const traceId = randomBytes(16).toString('hex');
      await getMe(service, token, { traceparent: traceparentOf(traceId) }, '?token=query-secret');

      const server = await serverSpanOf(traceId);
      expect(attributeOf(server, 'http.request.method')).toBe('GET');
      expect(attributeOf(server, 'url.path')).toBe('/users/me');
      expect(Number(attributeOf(server, 'http.response.status_code'))).toBe(200);
      expect(JSON.stringify(server)).not.toContain('query-secret');
    });

    it('names the span of a path no route matches by its method alone', async () => {
      const traceId = randomBytes(16).toString('hex');
      const response = await fetch(`${service.base}/no-such-route/${randomUUID()}`, {
        headers: { traceparent: traceparentOf(traceId) },
      });
      expect(response.status).toBe(404);

      const server = await serverSpanOf(traceId);
      expect(server.name).toBe('GET');
      expect(attributeOf(server, 'http.route')).toBeUndefined();
      expect(Number(attributeOf(server, 'http.response.status_code'))).toBe(404);
    });
  });

  describe('off', () => {
    // An endpoint is set, so only OTEL_TRACES_EXPORTER=none keeps tracing off.
    const service = useServiceProcess(() => ({
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      ...EXPORT_SETTINGS,
    }));

    it('exports no span, and its log lines carry no traceId', async () => {
      const exportedBefore = receiver.spans.length;
      const token = await registeredUserToken(service);
      const requestId = `untraced-${randomUUID()}`;
      const traceparent = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
      await getMe(service, token, { 'X-Request-Id': requestId, traceparent });

      const line = await waitForLogLine(service, (each) => each.requestId === requestId);
      expect(line).not.toHaveProperty('traceId');
      expect(line).not.toHaveProperty('spanId');
      // Many batch delays: anything the service would have sent has arrived by now.
      await sleep(1000);
      expect(receiver.spans.length).toBe(exportedBefore);
    });
  });

  async function serverSpanOf(traceId: string): Promise<ReceivedSpan> {
    const find = () =>
      receiver.spansOfTrace(traceId).find((span) => span.kind === SPAN_KIND_SERVER);
    await until(() => find() !== undefined, EXPORT_WAIT_MS);
    return find()!;
  }
});

/** A sampled W3C trace context from a caller in trace `traceId`. */
const traceparentOf = (traceId: string) => `00-${traceId}-${randomBytes(8).toString('hex')}-01`;

const redisGet = () => (trace: ReceivedSpan[]) => trace.find((span) => span.name === 'mget');
const postgresQuery = () => (trace: ReceivedSpan[]) =>
  trace.find((span) => span.name.startsWith('pg.query:SELECT'));

async function registeredUserToken(service: ServiceProcess): Promise<string> {
  const response = await fetch(`${service.base}/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: uniqueEmail('traced'),
      password: 'correct horse battery',
    }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

async function getMe(
  service: ServiceProcess,
  token: string,
  headers: Record<string, string>,
  query = '',
) {
  const response = await fetch(`${service.base}/users/me${query}`, {
    headers: { ...bearer(token), ...headers },
  });
  expect(response.status).toBe(200);
}
