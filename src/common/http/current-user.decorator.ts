import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { RequestPrincipal } from './request-principal';

/** The authenticated caller of a protected route. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RequestPrincipal =>
    context.switchToHttp().getRequest<Request & { user: RequestPrincipal }>().user,
);
