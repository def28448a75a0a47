import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { AccessLog } from './access-log';

/**
 * The access line's handler side: for every request that reaches a handler, the route it serves
 * and the caller the guards let through. The line itself is written when the response has ended
 * (see `AccessLog`), not when the handler's Observable completes: the exception filter sets the
 * status after this, a streaming handler (`GET /messages/stream`) returns long before its
 * response ends, and requests that never reach a handler need the same line.
 */
@Injectable()
export class LoggingInterceptor implements NestInterceptor {
  constructor(private readonly accessLog: AccessLog) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    this.accessLog.reachedHandler(context.switchToHttp().getRequest<FastifyRequest>());
    return next.handle();
  }
}
