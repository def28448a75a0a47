import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Options } from 'pino-http';
import pino from 'pino';
import type { AppConfig } from '../config/app-config';
import type { RequestPrincipal } from '../http/request-principal';

const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Takes the caller's X-Request-Id when it is sane, makes a UUID otherwise, and echoes it; once per
 * request, however many times it is asked.
 */
export function assignRequestId(request: IncomingMessage, response: ServerResponse): string {
  const assigned = (request as { id?: unknown }).id;
  if (typeof assigned === 'string') return assigned;
  const given = request.headers['x-request-id'];
  const id = typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
  (request as { id?: string }).id = id;
  response.setHeader('X-Request-Id', id);
  return id;
}

type LoggedRequest = IncomingMessage & {
  originalUrl?: string;
  ip?: string;
  user?: RequestPrincipal;
};
type LoggedResponse = ServerResponse & { locals?: { route?: string } };

/**
 * One JSON line per request, written when the response finishes, so 404s, rejected bodies and
 * guard refusals are logged too. Fields are picked one by one: headers, bodies and query
 * strings (which may hold tokens) never reach the log.
 */
function accessLine(request: LoggedRequest, response: LoggedResponse, durationMs: number) {
  const url = request.originalUrl ?? request.url ?? '';
  return {
    method: request.method,
    path: url.split('?', 1)[0],
    route: response.locals?.route,
    status: response.statusCode,
    durationMs,
    userId: request.user?.userId,
    ip: request.ip ?? request.socket?.remoteAddress,
    userAgent: request.headers['user-agent'],
  };
}

export function httpLoggerOptions(config: AppConfig): Options {
  return {
    level: config.log.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'authorization'],
      remove: true,
    },
    genReqId: assignRequestId,
    quietReqLogger: true,
    // The access line carries its own picked fields; the raw request and response objects
    // (headers included) are never serialized.
    serializers: { req: () => undefined, res: () => undefined },
    customAttributeKeys: { reqId: 'requestId' },
    customLogLevel: (_request, response, error) =>
      error || response.statusCode >= 500 ? 'error' : 'info',
    customSuccessMessage: () => 'request completed',
    customErrorMessage: () => 'request failed',
    customSuccessObject: (request, response, value: { responseTime: number }) =>
      accessLine(request as LoggedRequest, response as LoggedResponse, value.responseTime),
    customErrorObject: (request, response, _error, value: { responseTime: number }) =>
      accessLine(request as LoggedRequest, response as LoggedResponse, value.responseTime),
  };
}
