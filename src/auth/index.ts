export { AuthModule } from './auth.module';
export { AuthService } from './application/auth.service';
export { MfaService } from './application/mfa.service';
export { SecretKeyUnavailableError } from './domain/secret-cipher';
export { MfaVerifyDto, secondFactorProofOf } from './http/dto/mfa.dto';
export type { RequestPrincipal } from '../common/identity';
export { PruneService, type PruneOutcome } from './application/prune.service';
export { RequestAuthenticator } from './http/request-authenticator';
export { LoginDto } from './http/dto/login.dto';
export { RefreshDto } from './http/dto/refresh.dto';
export { ForgotPasswordDto, MailedTokenDto, ResetPasswordDto } from './http/dto/account-email.dto';
export {
  ACCOUNT_EMAIL_MESSAGES,
  AUTH_MESSAGES,
  toLoginResponse,
  toRegisteredResponse,
  toSignedInResponse,
  toStatusResponse,
} from './http/dto/auth.responses';
