import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { StrictValidationPipe } from '../../common/http/validation.pipe';
import type { UserAccount } from '../../users';
import { InvalidCredentialsError } from '../domain/auth.errors';
import { LoginDto } from './dto/login.dto';
import { LocalStrategy } from './local.strategy';
import { authenticateWith } from './passport-authentication';

/**
 * Login: the body is validated before passport reads it, so a missing or non-string field is a
 * 400 and nothing is counted.
 */
@Injectable()
export class LocalAuthGuard implements CanActivate {
  private readonly validation = new StrictValidationPipe();

  constructor(private readonly strategy: LocalStrategy) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { user?: UserAccount }>();
    request.body = await this.validation.transform(request.body, {
      type: 'body',
      metatype: LoginDto,
    });
    // passport-local falls back to the query string for a missing or empty field: it gets a view
    // of the request whose query is empty, so credentials come from the body only.
    const bodyOnly = Object.create(request, { query: { value: {} } }) as FastifyRequest;
    const { user } = await authenticateWith<UserAccount>(
      this.strategy,
      bodyOnly,
      http.getResponse<FastifyReply>(),
    );
    if (!user) throw new InvalidCredentialsError();
    request.user = user;
    return true;
  }
}
