import { type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { StrictValidationPipe } from '../../common/http/validation.pipe';
import { InvalidCredentialsError } from '../domain/auth.errors';
import { LoginDto } from './dto/login.dto';

/**
 * Login: the body is validated before passport reads it, so a missing or non-string field is a
 * 400 and nothing is counted, and passport never falls back to the query string.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  private readonly validation = new StrictValidationPipe();

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    request.body = await this.validation.transform(request.body, {
      type: 'body',
      metatype: LoginDto,
    });
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false): TUser {
    if (error) throw error;
    if (!user) throw new InvalidCredentialsError();
    return user;
  }
}
