import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RequestPrincipal } from '../identity';
import './request-user';

/** The authenticated caller of a protected route. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RequestPrincipal =>
    // Only on protected routes, whose guard has set it before any handler runs.
    context.switchToHttp().getRequest<FastifyRequest>().user as RequestPrincipal,
);
