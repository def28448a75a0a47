import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TooManyRequestsError } from './domain-error';
import { toErrorBody } from './error-body';
import type { ErrorResponseDto } from './error-response.dto';

/**
 * How a route that speaks its own protocol over HTTP (JSON-RPC) answers a failure raised before
 * its handler could, such as an unreadable body; `undefined` keeps the API's error response.
 */
export type ProtocolErrorReply = (
  error: ErrorResponseDto,
) => { readonly status: number; readonly body: unknown } | undefined;

/**
 * The one place where failures become HTTP responses, all with the error body of the API
 * (or, on a route registered with its own protocol, that protocol's answer).
 * Unexpected errors are logged with their detail and answered with a generic 500.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  /** @param protocolRoutes route templates (e.g. `/rpc`) that answer their own way. */
  constructor(private readonly protocolRoutes: Readonly<Record<string, ProtocolErrorReply>> = {}) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    // The client is gone (cut off at its request deadline, or it hung up mid-body): there is no
    // one to answer, and its aborted body says nothing about PostgreSQL or Redis.
    if (reply.raw.socket?.destroyed) return;
    const body = toErrorBody(exception, this.logger);

    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy();
      return;
    }
    // Errors are about this moment and this caller: no cache may keep them.
    reply.header('Cache-Control', 'no-store');
    const route = request.is404 ? undefined : request.routeOptions.url;
    const protocolReply = route === undefined ? undefined : this.protocolRoutes[route]?.(body);
    if (protocolReply) {
      reply.code(protocolReply.status).send(protocolReply.body);
      return;
    }
    if (exception instanceof TooManyRequestsError) {
      reply.header('Retry-After', String(exception.retryAfterSeconds));
    }
    if (body.statusCode === 401) {
      reply.header(
        'WWW-Authenticate',
        request.headers.authorization ? 'Bearer error="invalid_token"' : 'Bearer',
      );
    }
    reply.code(body.statusCode).send(body);
  }
}
