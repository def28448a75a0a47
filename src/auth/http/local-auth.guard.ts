import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { StrictValidationPipe } from '../../common/http/validation.pipe';
import type { UserAccount } from '../../users';
import { InvalidCredentialsError } from '../domain/auth.errors';
import { LoginDto } from './dto/login.dto';
import { LocalStrategy } from './local.strategy';
import { authenticateWith } from './passport-authentication';

/**
 * Login: the body is validated before passport reads it, so a missing or non-string field is a
 * 400 and nothing is counted, and passport never falls back to the query string.
 */
@Injectable()
export class LocalAuthGuard implements CanActivate {
  private readonly validation = new StrictValidationPipe();

  constructor(private readonly strategy: LocalStrategy) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request & { user?: UserAccount }>();
    request.body = await this.validation.transform(request.body, {
      type: 'body',
      metatype: LoginDto,
    });
    const { user } = await authenticateWith<UserAccount>(
      this.strategy,
      request,
      http.getResponse<Response>(),
    );
    if (!user) throw new InvalidCredentialsError();
    request.user = user;
    return true;
  }
}
