import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import { clientIp } from '../http/client-ip';
import '../http/request-user';
import { userAgentOf } from '../http/user-agent';

const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * One call of a request that carries several (a JSON-RPC batch); the access line lists them,
 * since the HTTP status alone says nothing of each call.
 */
export interface LoggedCall {
  /** null when the element was no call at all. */
  readonly method: string | null;
  /** The error code, on failure. */
  readonly error?: string;
}

type LoggedRequest = FastifyRequest & { calls?: LoggedCall[] };

/** Adds a call to the request's access line. */
export function logCall(request: FastifyRequest, call: LoggedCall): void {
  const logged = request as LoggedRequest;
  (logged.calls ??= []).push(call);
}

/** Fastify's `genReqId`: the caller's X-Request-Id when it is sane, a fresh UUID otherwise. */
export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

/** Echoes the request id on every response; it must be the first hook to reach preflights. */
export function echoRequestId(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    done();
  });
}

/**
 * Every line logged while a request is served (auth events, errors) carries its request id,
 * through nestjs-pino's request context.
 */
export function bindRequestContext(fastify: FastifyInstance, logger: PinoLogger): void {
  fastify.addHook('onRequest', (request, _reply, done) =>
    logger.runInContext(() => done(), { bindings: { requestId: request.id } }),
  );
}

/**
 * Writes one JSON line per request when its response is finished, so 404s, refused bodies and
 * guard refusals are logged too. Fields are picked one by one: headers, bodies and query
 * strings (which may hold tokens) never reach the log.
 */
export function registerAccessLog(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const line = accessLine(request, reply);
    if (reply.statusCode >= 500) logger.error(line, 'request failed');
    else logger.info(line, 'request completed');
    done();
  });
}

function accessLine(request: LoggedRequest, reply: FastifyReply) {
  return {
    requestId: request.id,
    method: request.method,
    path: request.url.split('?', 1)[0],
    // The route template (`/messages/:id`), so lines group by endpoint; none for unknown routes.
    route: request.is404 ? undefined : request.routeOptions.url,
    status: reply.statusCode,
    durationMs: Math.round(reply.elapsedTime * 100) / 100,
    userId: request.user?.userId,
    calls: request.calls,
    ip: clientIp(request) ?? undefined,
    userAgent: userAgentOf(request) ?? undefined,
  };
}
