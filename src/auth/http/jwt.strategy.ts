import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { passport } from './passport-authentication';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../../common/config';
import { AccessCheckService, type AuthenticatedCaller } from '../application/access-check.service';
import {
  jwtOptions,
  JwtTokenCodec,
  type ServiceTokenPayload,
} from '../infrastructure/jwt-token.codec';

/** A thin shell: passport-jwt verifies with `jwtOptions`, the token codec reads the claims. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly tokens: JwtTokenCodec,
    private readonly accessCheck: AccessCheckService,
  ) {
    const { secret, verifyOptions } = jwtOptions(config);
    // passport-jwt overwrites these three in `jsonWebTokenOptions` with its own options, set or not.
    const { algorithms, issuer, audience, ...jsonWebTokenOptions } = verifyOptions;
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // Its types predate KeyObject; jsonwebtoken, which does the verification, takes one.
      secretOrKey: secret as unknown as Buffer,
      algorithms,
      issuer,
      audience,
      jsonWebTokenOptions,
    });
  }

  /** Registers with this service's own passport, not the process-wide one. */
  getPassportInstance() {
    return passport;
  }

  /** Runs once the signature, issuer, audience and expiry have passed. */
  async validate(payload: ServiceTokenPayload): Promise<AuthenticatedCaller> {
    return this.accessCheck.authenticate(this.tokens.readAccessClaims(payload));
  }
}
