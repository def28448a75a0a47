import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { UserAccount } from '../../users';

/**
 * A login request once `LocalAuthGuard` has checked its credentials. The account has a key of its
 * own: `request.user` is only ever the caller of a protected route.
 */
export type LoginRequest = FastifyRequest & { signedInAccount?: UserAccount };

/** The account a login's credentials opened. */
export const SignedInAccount = createParamDecorator(
  (_data: unknown, context: ExecutionContext): UserAccount =>
    // Only on the login route, whose guard has set it before the handler runs.
    context.switchToHttp().getRequest<LoginRequest>().signedInAccount as UserAccount,
);
