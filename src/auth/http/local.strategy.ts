import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { clientInfoOf } from '../../common/http';
import { passport } from './passport-authentication';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-local';
import type { UserAccount } from '../../users';
import { AuthService } from '../application/auth.service';

@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(private readonly auth: AuthService) {
    super({ usernameField: 'email', passwordField: 'password', passReqToCallback: true });
  }

  /** Registers with this service's own passport, not the process-wide one. */
  getPassportInstance() {
    return passport;
  }

  validate(request: FastifyRequest, email: string, password: string): Promise<UserAccount> {
    return this.auth.verifyLogin(email, password, clientInfoOf(request));
  }
}
