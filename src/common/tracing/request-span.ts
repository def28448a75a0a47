import {
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const tracer = trace.getTracer('tempmessenger-http');

/**
 * Makes each request's server span from Fastify's first hook, instead of the generic HTTP
 * instrumentation: Fastify has routed the request by then, so the span is named by its template
 * from the start (`GET /messages/:id`, never a path with ids) and a sampler sees that name; and
 * it costs a fraction of the instrumentation's per-request work, which ran sampled or not
 * (docs/performance.md, case 9). The span continues an incoming `traceparent`, is the active
 * context for every later hook, the handler and the queries and commands they make, and ends
 * when the response closes (finished or cut off), so a stream's span lasts as long as the stream.
 * Attributes follow the stable HTTP conventions; the query string is left out, since mailed
 * links carry tokens in it.
 */
export function traceRequests(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const parent = propagation.extract(context.active(), request.headers);
    const route = request.is404 ? undefined : request.routeOptions.url;
    const span = tracer.startSpan(
      route === undefined ? request.method : `${request.method} ${route}`,
      { kind: SpanKind.SERVER },
      parent,
    );
    // Attributes are set after the start, not passed to it, against the conventions' advice on
    // purpose: the SDK checks and copies start attributes twice, only for the sampler and the
    // processors' onStart, and the samplers OTEL_TRACES_SAMPLER offers read the parent and the
    // trace id alone. A span left unsampled then computes none.
    if (span.isRecording()) setRequestAttributes(span, request, route);
    reply.raw.on('close', () => endRequestSpan(span, reply.raw.statusCode));
    context.with(trace.setSpan(parent, span), done);
  });
}

function setRequestAttributes(
  span: Span,
  request: FastifyRequest,
  route: string | undefined,
): void {
  const queryAt = request.url.indexOf('?');
  span.setAttribute(ATTR_HTTP_REQUEST_METHOD, request.method);
  span.setAttribute(ATTR_URL_PATH, queryAt === -1 ? request.url : request.url.slice(0, queryAt));
  span.setAttribute(ATTR_URL_SCHEME, request.protocol);
  span.setAttribute(ATTR_CLIENT_ADDRESS, request.ip);
  if (route !== undefined) span.setAttribute(ATTR_HTTP_ROUTE, route);
  const userAgent = request.headers['user-agent'];
  if (userAgent !== undefined) span.setAttribute(ATTR_USER_AGENT_ORIGINAL, userAgent);
}

function endRequestSpan(span: Span, statusCode: number): void {
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
  // A server span is in error on 5xx only: a 4xx is the caller's mistake, answered correctly.
  if (statusCode >= 500) {
    span.setAttribute(ATTR_ERROR_TYPE, String(statusCode));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}
