import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RequestAuthenticator } from './request-authenticator';

/**
 * AUTH_IP_LIMIT requests a minute per client IP, counted across every way in: register, login and
 * its second step, and the mail-link routes together.
 */
@Injectable()
export class AuthIpLimitGuard implements CanActivate {
  constructor(private readonly authenticator: RequestAuthenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.authenticator.countSignInAttempt(
      context.switchToHttp().getRequest<FastifyRequest>(),
    );
    return true;
  }
}
