import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ADMIN_ERRORS,
  ApiErrors,
  AUTH_ERRORS,
  BEARER_AUTH,
  BODY_ERRORS,
  Client,
  CurrentUser,
  Public,
  Roles,
} from '../../common/http';
import type { ClientInfo, RequestPrincipal } from '../../common/identity';
import { AdminUserResponseDto, toAdminUserResponse } from '../../users';
import { AuthService } from '../application/auth.service';
import { MfaService } from '../application/mfa.service';
import { AuthIpLimitGuard } from './auth-ip-limit.guard';
import {
  AUTH_MESSAGES,
  ConfirmationResponseDto,
  MFA_MESSAGES,
  MfaEnabledResponseDto,
  RecoveryCodesResponseDto,
  SignedInResponseDto,
  toSignedInResponse,
  TotpEnrollmentResponseDto,
} from './dto/auth.responses';
import {
  MfaCodeDto,
  MfaDisableDto,
  MfaSetupDto,
  MfaVerifyDto,
  secondFactorProofOf,
} from './dto/mfa.dto';

/** Wrong codes of a signed-in caller are limited like wrong passwords. */
const CODE_ERRORS = { 400: ['MFA_CODE_INVALID'], 429: ['TOO_MANY_REQUESTS'] } as const;

/** The TOTP second factor: the caller's own (`/auth/mfa/*`), and an admin's reset of a user's. */
@ApiTags('auth')
@Controller()
export class MfaController {
  constructor(
    private readonly mfa: MfaService,
    private readonly auth: AuthService,
  ) {}

  @Post('auth/mfa/totp/setup')
  @HttpCode(200)
  @ApiBearerAuth(BEARER_AUTH)
  @ApiOperation({
    summary: 'Start setting up TOTP: a new secret, its otpauth URI and QR code (not active yet)',
    description: 'A new setup replaces an unconfirmed one. The answer is not stored by caches.',
  })
  @ApiOkResponse({ type: TotpEnrollmentResponseDto })
  @ApiErrors(AUTH_ERRORS, BODY_ERRORS, {
    400: ['WRONG_PASSWORD'],
    409: ['MFA_ALREADY_ENABLED'],
    429: ['TOO_MANY_REQUESTS'],
  })
  setup(
    @CurrentUser() caller: RequestPrincipal,
    @Body() body: MfaSetupDto,
    @Client() client: ClientInfo,
  ): Promise<TotpEnrollmentResponseDto> {
    return this.mfa.setup(caller, body.password, client);
  }

  @Post('auth/mfa/totp/enable')
  @HttpCode(200)
  @ApiBearerAuth(BEARER_AUTH)
  @ApiOperation({
    summary: 'Turn TOTP on with a first code; answers the recovery codes, once',
    description: 'Every other session of the caller ends.',
  })
  @ApiOkResponse({ type: MfaEnabledResponseDto })
  @ApiErrors(AUTH_ERRORS, BODY_ERRORS, CODE_ERRORS, {
    409: ['MFA_SETUP_REQUIRED', 'MFA_ALREADY_ENABLED'],
  })
  async enable(
    @CurrentUser() caller: RequestPrincipal,
    @Body() body: MfaCodeDto,
    @Client() client: ClientInfo,
  ): Promise<MfaEnabledResponseDto> {
    const recoveryCodes = await this.mfa.enable(caller, body.code, client);
    return { message: MFA_MESSAGES.enabled, recoveryCodes };
  }

  @Post('auth/mfa/totp/disable')
  @HttpCode(200)
  @ApiBearerAuth(BEARER_AUTH)
  @ApiOperation({
    summary: 'Turn TOTP off with the password and a code or a recovery code',
    description: 'Every other session of the caller ends.',
  })
  @ApiOkResponse({ type: ConfirmationResponseDto })
  @ApiErrors(AUTH_ERRORS, BODY_ERRORS, CODE_ERRORS, {
    400: ['WRONG_PASSWORD'],
    409: ['MFA_NOT_ENABLED'],
  })
  async disable(
    @CurrentUser() caller: RequestPrincipal,
    @Body() body: MfaDisableDto,
    @Client() client: ClientInfo,
  ): Promise<ConfirmationResponseDto> {
    await this.mfa.disable(caller, body.password, body.code, client);
    return { message: MFA_MESSAGES.disabled };
  }

  @Post('auth/mfa/recovery-codes')
  @HttpCode(200)
  @ApiBearerAuth(BEARER_AUTH)
  @ApiOperation({ summary: 'A new set of recovery codes for a current code; the old set dies' })
  @ApiOkResponse({ type: RecoveryCodesResponseDto })
  @ApiErrors(AUTH_ERRORS, BODY_ERRORS, CODE_ERRORS, { 409: ['MFA_NOT_ENABLED'] })
  async regenerateRecoveryCodes(
    @CurrentUser() caller: RequestPrincipal,
    @Body() body: MfaCodeDto,
    @Client() client: ClientInfo,
  ): Promise<RecoveryCodesResponseDto> {
    return { recoveryCodes: await this.mfa.regenerateRecoveryCodes(caller, body.code, client) };
  }

  @Post('auth/mfa/verify')
  @HttpCode(200)
  @Public()
  @UseGuards(AuthIpLimitGuard)
  @ApiOperation({
    summary: 'The second step of a login: the mfaToken with a code or a recovery code',
    description:
      'A dead mfaToken (expired, used, or past 5 wrong codes) is MFA_TOKEN_INVALID whatever ' +
      'else is wrong. Wrong codes count as failed logins of the email.',
  })
  @ApiOkResponse({ type: SignedInResponseDto })
  @ApiErrors(BODY_ERRORS, {
    400: ['MFA_CODE_INVALID'],
    401: ['MFA_TOKEN_INVALID'],
    429: ['TOO_MANY_REQUESTS'],
  })
  async verify(
    @Body() body: MfaVerifyDto,
    @Client() client: ClientInfo,
  ): Promise<SignedInResponseDto> {
    const proof = secondFactorProofOf(body);
    const signedIn = await this.auth.completeSecondFactor(body.mfaToken, proof, client);
    return toSignedInResponse(AUTH_MESSAGES.loggedIn, signedIn);
  }

  @Post('users/:id/mfa/reset')
  @HttpCode(200)
  @Roles('admin')
  @ApiTags('users')
  @ApiBearerAuth(BEARER_AUTH)
  @ApiOperation({ summary: 'Remove a user’s second factor and end all its sessions (admin)' })
  @ApiOkResponse({ type: AdminUserResponseDto })
  @ApiErrors(ADMIN_ERRORS, { 404: ['USER_NOT_FOUND'] })
  async reset(
    @CurrentUser() admin: RequestPrincipal,
    @Param('id') id: string,
    @Client() client: ClientInfo,
  ): Promise<AdminUserResponseDto> {
    return toAdminUserResponse(await this.mfa.reset(admin, id, client));
  }
}
