import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';

/**
 * Adds the matched route template (`/messages/:id`) to the request's access log line, so
 * lines group by endpoint rather than by concrete path. Only a handler knows its route.
 */
@Injectable()
export class RouteLoggingInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const route = http.getRequest<Request>().route as { path?: unknown } | undefined;
    if (typeof route?.path === 'string') http.getResponse<Response>().locals.route = route.path;
    return next.handle();
  }
}
