import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { TokenExpiredError as JwtExpiredError } from 'jsonwebtoken';
import { AppConfig } from '../../common/config';
import { clientAddressKey } from '../../common/http';
import { RateLimiter, RateLimiterFactory } from '../../common/rate-limit';
import type { AuthenticatedCaller } from '../application/access-check.service';
import type { UserAccount } from '../../users';
import {
  AuthRequiredError,
  InvalidCredentialsError,
  TokenExpiredError,
  TokenInvalidError,
  TokenMalformedError,
} from '../domain/auth.errors';
import type { LoginDto } from './dto/login.dto';
import { JwtStrategy } from './jwt.strategy';
import { LocalStrategy } from './local.strategy';
import { authenticateWith } from './passport-authentication';

/** The scheme (any case), one space, one token. */
const BEARER_HEADER = /^bearer [^\s]+$/i;

/**
 * How a caller proves who it is, for every transport: the REST guards and the JSON-RPC adapter
 * call these methods, so a token, a password or a burst of sign-ins is judged the same way
 * whichever door it comes through.
 */
@Injectable()
export class RequestAuthenticator {
  private readonly signInsPerIp: RateLimiter;

  constructor(
    private readonly jwt: JwtStrategy,
    private readonly local: LocalStrategy,
    config: AppConfig,
    limiters: RateLimiterFactory,
  ) {
    this.signInsPerIp = limiters.create(
      { name: 'auth-ip', points: config.throttling.authIpLimit, durationSeconds: 60 },
      'Too many sign-in attempts from this address. Please try again later.',
    );
  }

  /**
   * The caller behind an `Authorization` header value: its shape, then the JWT strategy
   * (signature, claims, token type) and the revocation check against the record.
   */
  async accessToken(authorization: string | undefined): Promise<AuthenticatedCaller> {
    if (authorization === undefined) throw new AuthRequiredError();
    if (!BEARER_HEADER.test(authorization)) throw new TokenMalformedError();
    // passport-jwt reads nothing but the header, so the strategy gets nothing else.
    const { user, info } = await authenticateWith<AuthenticatedCaller>(this.jwt, {
      headers: { authorization },
    });
    if (!user) {
      throw info instanceof JwtExpiredError ? new TokenExpiredError() : new TokenInvalidError();
    }
    return user;
  }

  /**
   * Counts one register or login attempt against the caller's address (AUTH_IP_LIMIT a minute),
   * an IPv6 caller's whole /64 together.
   */
  async countSignInAttempt(request: FastifyRequest): Promise<void> {
    await this.signInsPerIp.consume(clientAddressKey(request));
  }

  /**
   * Checks validated credentials with the local strategy, which counts failures per email.
   * The strategy sees the credentials as the whole body and an empty query string: passport-local
   * would otherwise fall back to the query string for a missing or empty field.
   */
  async password(request: FastifyRequest, credentials: LoginDto): Promise<UserAccount> {
    const credentialsOnly = Object.create(request, {
      body: { value: credentials },
      query: { value: {} },
    }) as FastifyRequest;
    const { user } = await authenticateWith<UserAccount>(this.local, credentialsOnly);
    if (!user) throw new InvalidCredentialsError();
    return user;
  }
}
