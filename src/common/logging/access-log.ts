import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import { clientIp } from '../http/client-ip';
import '../http/request-user';
import { userAgentOf } from '../http/user-agent';
import { LogDestination } from './log-destination';

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

/** The part of a request's access line that its handler's side knows. */
interface HandlerPart {
  /** The route template (`/messages/:id`), so lines group by endpoint. */
  readonly route: string;
  /** The caller the guards let through; none on a public route. */
  readonly userId: string | undefined;
}

type LoggedRequest = FastifyRequest & { calls?: LoggedCall[]; handlerPart?: HandlerPart };

/**
 * The one writer of access lines: one JSON line per request, written when its response has
 * ended, since only then are the status the client got (after the exception filter) and the
 * whole duration known. Fastify's onResponse hook calls `write` once for every finished
 * response, whether a handler saw the request (`LoggingInterceptor` then notes its part) or not
 * (404, refused body, guard refusal). Fields are picked one by one: headers, bodies and query
 * strings (which may hold tokens) never reach the log.
 */
@Injectable()
export class AccessLog {
  private readonly logger: Logger;

  constructor(destination: LogDestination) {
    this.logger = destination.accessLogger;
  }

  /** Notes the handler's part of the line; route and caller are settled once guards have run. */
  reachedHandler(request: FastifyRequest): void {
    (request as LoggedRequest).handlerPart = {
      // Fastify leaves it unset only for unknown routes, which have no handler.
      route: request.routeOptions.url as string,
      userId: request.user?.userId,
    };
  }

  /** Writes the request's line; called once, when its response has ended. */
  write(request: FastifyRequest, reply: FastifyReply): void {
    const line = accessLine(request, reply);
    if (reply.statusCode >= 500) this.logger.error(line, 'request failed');
    else this.logger.info(line, 'request completed');
  }
}

/** Hands every finished response to the access log. */
export function registerAccessLog(fastify: FastifyInstance, accessLog: AccessLog): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    accessLog.write(request, reply);
    done();
  });
}

function accessLine(request: LoggedRequest, reply: FastifyReply) {
  const { route, userId } = request.handlerPart ?? partBeforeHandler(request);
  return {
    requestId: request.id,
    method: request.method,
    path: request.url.split('?', 1)[0],
    route,
    status: reply.statusCode,
    durationMs: Math.round(reply.elapsedTime * 100) / 100,
    userId,
    calls: request.calls,
    ip: clientIp(request) ?? undefined,
    userAgent: userAgentOf(request) ?? undefined,
  };
}

/**
 * The same part for a request no handler saw: the route Fastify matched (none for an unknown
 * one), and the caller when authentication passed but a later guard refused.
 */
function partBeforeHandler(request: FastifyRequest): Partial<HandlerPart> {
  return {
    route: request.is404 ? undefined : request.routeOptions.url,
    userId: request.user?.userId,
  };
}
