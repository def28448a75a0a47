import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { StrictValidationPipe } from '../../common/http';
import type { UserAccount } from '../../users';
import { LoginDto } from './dto/login.dto';
import { RequestAuthenticator } from './request-authenticator';

/**
 * Login: the body is validated before passport reads it, so a missing or non-string field is a
 * 400 and nothing is counted.
 */
@Injectable()
export class LocalAuthGuard implements CanActivate {
  private readonly validation = new StrictValidationPipe();

  constructor(private readonly authenticator: RequestAuthenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: UserAccount }>();
    const credentials = (await this.validation.transform(request.body, {
      type: 'body',
      metatype: LoginDto,
    })) as LoginDto;
    request.user = await this.authenticator.password(request, credentials);
    return true;
  }
}
