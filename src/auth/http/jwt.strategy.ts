import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { passport } from './passport-authentication';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../../common/config';
import type { RequestPrincipal } from '../../common/identity';
import { AccessCheckService } from '../application/access-check.service';
import { TokenInvalidError, WrongTokenTypeError } from '../domain/auth.errors';
import { jwtKey } from '../infrastructure/jwt-key';
import { hasServiceClaims, type ServiceTokenPayload } from '../infrastructure/jwt-token.codec';

/** Access tokens: HS256 only, issuer and audience pinned, one second of clock leeway. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly accessCheck: AccessCheckService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // Its types predate KeyObject; jsonwebtoken, which does the verification, takes one.
      secretOrKey: jwtKey(config) as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      jsonWebTokenOptions: { clockTolerance: 1 },
    });
  }

  /** Registers with this service's own passport, not the process-wide one. */
  getPassportInstance() {
    return passport;
  }

  /** Runs once the signature, issuer, audience and expiry have passed. */
  async validate(payload: ServiceTokenPayload): Promise<RequestPrincipal> {
    if (payload.typ === 'refresh') throw new WrongTokenTypeError();
    if (payload.typ !== 'access' || !hasServiceClaims(payload)) throw new TokenInvalidError();
    return this.accessCheck.authenticate({
      userId: payload.sub,
      sessionId: payload.sid,
      tokenId: payload.jti,
      issuedAt: new Date(payload.iat * 1000),
      expiresAt: new Date(payload.exp * 1000),
    });
  }
}
