import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { UserAccount } from '../application/user-account';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The caller's account as the authentication guard read it to decide access (set with
     * `user`, on protected routes only): a route about the caller answers from it, unread again.
     */
    callerAccount?: UserAccount;
  }
}

/** The authenticated caller's account, as current as the access check that let it in. */
export const CallerAccount = createParamDecorator(
  (_data: unknown, context: ExecutionContext): UserAccount =>
    // Only on protected routes, whose guard has set it before any handler runs.
    context.switchToHttp().getRequest<FastifyRequest>().callerAccount as UserAccount,
);
