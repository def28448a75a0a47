import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { TokenExpiredError as JwtExpiredError } from 'jsonwebtoken';
import { IS_PUBLIC_KEY } from '../../common/http/public.decorator';
import {
  AuthRequiredError,
  TokenExpiredError,
  TokenInvalidError,
  TokenMalformedError,
} from '../domain/auth.errors';

/** The scheme (any case), one space, one token. */
const BEARER_HEADER = /^bearer [^\s]+$/i;

/** Global: every route needs an access token unless marked `@Public()`. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const header = context.switchToHttp().getRequest<Request>().headers.authorization;
    if (header === undefined) throw new AuthRequiredError();
    if (!BEARER_HEADER.test(header)) throw new TokenMalformedError();
    return super.canActivate(context);
  }

  /** Turns passport's outcome into the API's errors; errors thrown by `validate` pass through. */
  override handleRequest<TUser>(error: unknown, user: TUser | false, info: unknown): TUser {
    if (error) throw error;
    if (user) return user;
    if (info instanceof JwtExpiredError) throw new TokenExpiredError();
    throw new TokenInvalidError();
  }
}
