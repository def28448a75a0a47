import { trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';

/**
 * Names each request's HTTP span by its route template (`GET /messages/:id`) and sets
 * `http.route`, as the HTTP instrumentation alone cannot: it sees the raw path only, and a raw
 * path (with its ids) would make every span name unique. Unknown routes keep the bare method.
 */
export function nameRequestSpans(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url;
    const span = trace.getActiveSpan();
    if (span && route !== undefined) {
      span.updateName(`${request.method} ${route}`);
      span.setAttribute('http.route', route);
    }
    done();
  });
}
