import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { StrictValidationPipe } from '../../common/http';
import { LoginDto } from './dto/login.dto';
import { RequestAuthenticator } from './request-authenticator';
import type { LoginRequest } from './signed-in-account.decorator';

/**
 * Login: the body is validated before passport reads it, so a missing or non-string field is a
 * 400 and nothing is counted.
 */
@Injectable()
export class LocalAuthGuard implements CanActivate {
  private readonly validation = new StrictValidationPipe();

  constructor(private readonly authenticator: RequestAuthenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<LoginRequest>();
    const credentials = (await this.validation.transform(request.body, {
      type: 'body',
      metatype: LoginDto,
    })) as LoginDto;
    request.signedInAccount = await this.authenticator.password(request, credentials);
    return true;
  }
}
