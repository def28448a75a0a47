import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiExtraModels,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import {
  ApiErrors,
  AUTH_ERRORS,
  BEARER_AUTH,
  BODY_ERRORS,
  Client,
  CurrentUser,
  Public,
} from '../../common/http';
import type { ClientInfo, RequestPrincipal } from '../../common/identity';
import { RegistrationDto, type UserAccount } from '../../users';
import { AuthService } from '../application/auth.service';
import type { Session } from '../domain/session';
import { AuthIpLimitGuard } from './auth-ip-limit.guard';
import {
  AUTH_MESSAGES,
  LogoutAllResponseDto,
  LogoutResponseDto,
  RegisteredResponseDto,
  SecondFactorRequiredResponseDto,
  SessionListResponseDto,
  SignedInResponseDto,
  StatusResponseDto,
  TokenPairResponseDto,
  toLoginResponse,
  toRegisteredResponse,
  toStatusResponse,
} from './dto/auth.responses';
import { LoginDto } from './dto/login.dto';
import { RefreshDto } from './dto/refresh.dto';
import { LocalAuthGuard } from './local-auth.guard';
import { SignedInAccount } from './signed-in-account.decorator';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @Public()
  @UseGuards(AuthIpLimitGuard)
  @ApiOperation({
    summary: 'Create an account and sign in; a verification mail goes to the address',
    description:
      'With EMAIL_VERIFICATION=required the answer is `{ message, user }` with no tokens: ' +
      'logging in waits for the address to be verified.',
  })
  @ApiCreatedResponse({ type: RegisteredResponseDto })
  @ApiErrors(BODY_ERRORS, { 409: ['EMAIL_TAKEN'], 429: ['TOO_MANY_REQUESTS'] })
  async register(
    @Body() body: RegistrationDto,
    @Client() client: ClientInfo,
  ): Promise<RegisteredResponseDto> {
    return toRegisteredResponse(await this.auth.register(body, client));
  }

  @Post('login')
  @HttpCode(200)
  @Public()
  @UseGuards(AuthIpLimitGuard, LocalAuthGuard)
  @ApiOperation({
    summary: 'Sign in with email and password',
    description:
      'An account with a second factor answers `mfaRequired` and an `mfaToken` instead of ' +
      'tokens: the login ends with `POST /auth/mfa/verify`.',
  })
  @ApiBody({ type: LoginDto })
  @ApiExtraModels(SignedInResponseDto, SecondFactorRequiredResponseDto)
  @ApiOkResponse({
    schema: {
      oneOf: [
        { $ref: getSchemaPath(SignedInResponseDto) },
        { $ref: getSchemaPath(SecondFactorRequiredResponseDto) },
      ],
    },
  })
  @ApiErrors(BODY_ERRORS, {
    401: ['INVALID_CREDENTIALS'],
    403: ['USER_DISABLED', 'EMAIL_NOT_VERIFIED'],
    429: ['TOO_MANY_REQUESTS'],
  })
  async login(
    @SignedInAccount() account: UserAccount,
    @Client() client: ClientInfo,
  ): Promise<SignedInResponseDto | SecondFactorRequiredResponseDto> {
    return toLoginResponse(await this.auth.login(account, client));
  }

  @Post('refresh')
  @HttpCode(200)
  @Public()
  @ApiOperation({
    summary: 'Exchange the refresh token for a new pair (the old one stops working)',
    description:
      'The token the last refresh replaced, presented again within REFRESH_REUSE_INTERVAL, ' +
      'answers the same new refresh token; any other spent token is REFRESH_REUSED and ends ' +
      'the session. A session ends SESSION_MAX_LIFETIME after its login, refreshed or not.',
  })
  @ApiOkResponse({ type: TokenPairResponseDto })
  @ApiErrors(BODY_ERRORS, { 403: ['REFRESH_INVALID', 'REFRESH_REUSED', 'WRONG_TOKEN_TYPE'] })
  refresh(@Body() body: RefreshDto, @Client() client: ClientInfo): Promise<TokenPairResponseDto> {
    return this.auth.refresh(body.refreshToken, client);
  }

  @Post('logout')
  @HttpCode(200)
  @ApiBearerAuth(BEARER_AUTH)
  @ApiOperation({ summary: 'Blacklist this access token and end its session' })
  @ApiOkResponse({ type: LogoutResponseDto })
  @ApiErrors(AUTH_ERRORS)
  async logout(
    @CurrentUser() caller: RequestPrincipal,
    @Client() client: ClientInfo,
  ): Promise<LogoutResponseDto> {
    await this.auth.logout(caller, client);
    return { message: AUTH_MESSAGES.loggedOut };
  }

  @Post('logout-all')
  @HttpCode(200)
  @ApiBearerAuth(BEARER_AUTH)
  @ApiOperation({ summary: 'End every session of the caller, this one included' })
  @ApiOkResponse({ type: LogoutAllResponseDto })
  @ApiErrors(AUTH_ERRORS)
  async logoutAll(
    @CurrentUser() caller: RequestPrincipal,
    @Client() client: ClientInfo,
  ): Promise<LogoutAllResponseDto> {
    const revokedSessions = await this.auth.logoutAll(caller, client);
    return { message: 'Successfully logged out of all sessions.', revokedSessions };
  }

  @Get('status')
  @ApiBearerAuth(BEARER_AUTH)
  @ApiOperation({ summary: 'The caller and the session of this token' })
  @ApiOkResponse({ type: StatusResponseDto })
  @ApiErrors(AUTH_ERRORS)
  async status(@CurrentUser() caller: RequestPrincipal): Promise<StatusResponseDto> {
    const { user, session } = await this.auth.status(caller);
    return toStatusResponse(user, session);
  }

  @Get('sessions')
  @ApiBearerAuth(BEARER_AUTH)
  @ApiOperation({ summary: 'The caller’s active sessions' })
  @ApiOkResponse({ type: SessionListResponseDto })
  @ApiErrors(AUTH_ERRORS)
  async sessions(@CurrentUser() caller: RequestPrincipal): Promise<SessionListResponseDto> {
    const sessions = await this.auth.listSessions(caller);
    return { items: sessions.map((session) => toSessionItem(session, caller.sessionId)) };
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @ApiBearerAuth(BEARER_AUTH)
  @ApiOperation({ summary: 'End one of the caller’s sessions; its tokens stop working' })
  @ApiNoContentResponse({ description: 'Ended' })
  @ApiErrors(AUTH_ERRORS, { 404: ['SESSION_NOT_FOUND'] })
  async endSession(
    @CurrentUser() caller: RequestPrincipal,
    @Param('id') id: string,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.auth.endSession(caller, id, client);
  }
}

function toSessionItem(session: Session, currentSessionId: string) {
  return {
    id: session.id,
    createdAt: session.createdAt.toISOString(),
    lastUsedAt: session.lastUsedAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    ip: session.ip,
    userAgent: session.userAgent,
    current: session.id === currentSessionId,
  };
}
