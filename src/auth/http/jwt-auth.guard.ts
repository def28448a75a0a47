import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TokenExpiredError as JwtExpiredError } from 'jsonwebtoken';
import { IS_PUBLIC_KEY } from '../../common/http/public.decorator';
import type { RequestPrincipal } from '../../common/http/request-principal';
import {
  AuthRequiredError,
  TokenExpiredError,
  TokenInvalidError,
  TokenMalformedError,
} from '../domain/auth.errors';
import { JwtStrategy } from './jwt.strategy';
import { authenticateWith } from './passport-authentication';

/** The scheme (any case), one space, one token. */
const BEARER_HEADER = /^bearer [^\s]+$/i;

/** Global: every route needs an access token unless marked `@Public()`. */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly strategy: JwtStrategy,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { user?: RequestPrincipal }>();
    const header = request.headers.authorization;
    if (header === undefined) throw new AuthRequiredError();
    if (!BEARER_HEADER.test(header)) throw new TokenMalformedError();

    // Errors thrown by the strategy's `validate` (revoked, wrong type) reject as they are.
    const { user, info } = await authenticateWith<RequestPrincipal>(
      this.strategy,
      request,
      http.getResponse<FastifyReply>(),
    );
    if (!user)
      throw info instanceof JwtExpiredError ? new TokenExpiredError() : new TokenInvalidError();
    request.user = user;
    return true;
  }
}
