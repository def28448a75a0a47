import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type JwtModuleOptions, JwtService } from '@nestjs/jwt';
import { AppConfig } from '../../common/config';
import { isUuid } from '../../common/validation';
import { RefreshInvalidError, TokenInvalidError, WrongTokenTypeError } from '../domain/auth.errors';
import type { RefreshGrant } from '../domain/session';
import {
  type AccessClaims,
  type RefreshClaims,
  TokenCodec,
  type TokenPair,
} from '../domain/tokens';
import { jwtKey } from './jwt-key';

/** The claims both token types carry besides the registered ones. */
export interface ServiceTokenPayload {
  sub?: unknown;
  sid?: unknown;
  jti?: unknown;
  typ?: unknown;
  iat?: unknown;
  exp?: unknown;
}

/**
 * The one place the JWT settings live: HS256 only, issuer and audience pinned, one second of clock
 * leeway. The module signs and verifies with them, and the passport-jwt strategy verifies with them.
 */
export function jwtOptions(config: AppConfig) {
  const { issuer, audience } = config.jwt;
  return {
    secret: jwtKey(config),
    signOptions: { algorithm: 'HS256', issuer, audience },
    verifyOptions: { algorithms: ['HS256'], issuer, audience, clockTolerance: 1 },
  } satisfies JwtModuleOptions;
}

/** HS256 JWTs via @nestjs/jwt, signed and verified with `jwtOptions`. */
@Injectable()
export class JwtTokenCodec extends TokenCodec {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async issuePair(subject: {
    userId: string;
    sessionId: string;
    refresh: RefreshGrant;
  }): Promise<TokenPair> {
    const { accessTtlSeconds } = this.config.jwt;
    const { refresh } = subject;
    const [accessToken, refreshToken] = await Promise.all([
      this.jwt.signAsync(
        { sid: subject.sessionId, typ: 'access' },
        { subject: subject.userId, jwtid: randomUUID(), expiresIn: accessTtlSeconds },
      ),
      // Every claim comes from the grant, none from the clock, so a grant re-signs byte for byte.
      this.jwt.signAsync(
        {
          sid: subject.sessionId,
          typ: 'refresh',
          iat: epochSeconds(refresh.issuedAt),
          exp: epochSeconds(refresh.expiresAt),
        },
        { subject: subject.userId, jwtid: refresh.jti },
      ),
    ]);
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: accessTtlSeconds };
  }

  async readRefreshToken(token: string): Promise<RefreshClaims> {
    let payload: ServiceTokenPayload;
    try {
      payload = await this.jwt.verifyAsync<ServiceTokenPayload & object>(token);
    } catch {
      throw new RefreshInvalidError();
    }
    if (payload.typ === 'access') {
      throw new WrongTokenTypeError('Use the refresh token here, not the access token.');
    }
    if (payload.typ !== 'refresh' || !hasServiceClaims(payload)) throw new RefreshInvalidError();
    return { userId: payload.sub, sessionId: payload.sid, tokenId: payload.jti };
  }

  /**
   * The claims of an access token whose signature, algorithm, issuer, audience and expiry have
   * been verified with `jwtOptions` (by the passport-jwt strategy).
   */
  readAccessClaims(payload: ServiceTokenPayload): AccessClaims {
    if (payload.typ === 'refresh') throw new WrongTokenTypeError();
    if (payload.typ !== 'access' || !hasServiceClaims(payload)) throw new TokenInvalidError();
    return {
      userId: payload.sub,
      sessionId: payload.sid,
      tokenId: payload.jti,
      issuedAt: new Date(payload.iat * 1000),
      expiresAt: new Date(payload.exp * 1000),
    };
  }
}

/**
 * `sub`, `sid` and `jti` are UUIDs, and `iat` and `exp` are present (jsonwebtoken allows no `exp`)
 * and are times a Date can hold: a validly signed token with `exp: 1e13` must not reach storage.
 */
function hasServiceClaims(payload: ServiceTokenPayload): payload is ServiceTokenPayload & {
  sub: string;
  sid: string;
  jti: string;
  iat: number;
  exp: number;
} {
  return (
    isUuid(payload.sub) &&
    isUuid(payload.sid) &&
    isUuid(payload.jti) &&
    isEpochSeconds(payload.iat) &&
    isEpochSeconds(payload.exp)
  );
}

function epochSeconds(time: Date): number {
  return Math.floor(time.getTime() / 1000);
}

/** Latest time a JavaScript Date holds, in seconds (ECMAScript's ±8.64e15 ms). */
const LATEST_DATE_SECONDS = 8.64e12;

function isEpochSeconds(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= LATEST_DATE_SECONDS;
}
