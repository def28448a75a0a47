import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Metrics } from './metrics';

/** The one `route` label of every path no route matched, so a scan of random paths adds one series. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Records every finished response in the request-duration histogram, from a Fastify onResponse
 * hook beside the access log's: like it, it sees the requests no handler saw (404s, refused
 * bodies, guard refusals, static files), once, with their final status and duration.
 */
export function registerRequestMetrics(fastify: FastifyInstance, metrics: Metrics): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.requestCompleted(
      request.method,
      routeLabel(request),
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
}

/** The template Fastify matched (`/messages/:id`), never the path with its ids. */
export function routeLabel(request: FastifyRequest): string {
  return request.is404 ? UNMATCHED_ROUTE : (request.routeOptions.url ?? UNMATCHED_ROUTE);
}
