import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RequestPrincipal } from './request-principal';

/** The authenticated caller of a protected route. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RequestPrincipal =>
    context.switchToHttp().getRequest<FastifyRequest & { user: RequestPrincipal }>().user,
);
