import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
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
import { AccountEmailService, toUserResponse } from '../../users';
import { AuthIpLimitGuard } from './auth-ip-limit.guard';
import { ForgotPasswordDto, MailedTokenDto, ResetPasswordDto } from './dto/account-email.dto';
import {
  ACCOUNT_EMAIL_MESSAGES,
  AccountResponseDto,
  ConfirmationResponseDto,
} from './dto/auth.responses';

/**
 * The links mails carry, and asking for them. Every route counts against AUTH_IP_LIMIT: each
 * either sends mail or tries a token.
 */
@ApiTags('auth')
@Controller('auth')
@UseGuards(AuthIpLimitGuard)
export class AccountEmailController {
  constructor(private readonly accountEmail: AccountEmailService) {}

  @Post('email/verify/request')
  @HttpCode(202)
  @ApiBearerAuth(BEARER_AUTH)
  @ApiOperation({ summary: 'Mail a new verification link to the caller’s address' })
  @ApiAcceptedResponse({ type: ConfirmationResponseDto })
  @ApiErrors(AUTH_ERRORS, { 409: ['EMAIL_ALREADY_VERIFIED'], 429: ['TOO_MANY_REQUESTS'] })
  async requestVerification(
    @CurrentUser() caller: RequestPrincipal,
    @Client() client: ClientInfo,
  ): Promise<ConfirmationResponseDto> {
    await this.accountEmail.requestVerification(caller.userId, client);
    return { message: ACCOUNT_EMAIL_MESSAGES.verificationSent };
  }

  @Post('email/verify')
  @HttpCode(200)
  @Public()
  @ApiOperation({ summary: 'Verify the address with the token of a verification link' })
  @ApiOkResponse({ type: AccountResponseDto })
  @ApiErrors(BODY_ERRORS, { 400: ['EMAIL_TOKEN_INVALID'], 429: ['TOO_MANY_REQUESTS'] })
  async verify(
    @Body() body: MailedTokenDto,
    @Client() client: ClientInfo,
  ): Promise<AccountResponseDto> {
    const account = await this.accountEmail.verifyEmail(body.token, client);
    return { message: ACCOUNT_EMAIL_MESSAGES.verified, user: toUserResponse(account) };
  }

  @Post('password/forgot')
  @HttpCode(202)
  @Public()
  @ApiOperation({
    summary: 'Mail a password reset link',
    description: 'The same answer, after the same work, whether or not the address has an account.',
  })
  @ApiAcceptedResponse({ type: ConfirmationResponseDto })
  @ApiErrors(BODY_ERRORS, { 429: ['TOO_MANY_REQUESTS'] })
  async forgot(
    @Body() body: ForgotPasswordDto,
    @Client() client: ClientInfo,
  ): Promise<ConfirmationResponseDto> {
    await this.accountEmail.forgotPassword(body.email, client);
    return { message: ACCOUNT_EMAIL_MESSAGES.resetSent };
  }

  @Post('password/reset')
  @HttpCode(200)
  @Public()
  @ApiOperation({
    summary: 'Set a new password with the token of a reset link',
    description:
      'Every session and access token of the user stops working, its other reset links die, ' +
      'the address counts as verified, and a notice is mailed to it. No tokens: log in.',
  })
  @ApiOkResponse({ type: ConfirmationResponseDto })
  @ApiErrors(BODY_ERRORS, { 400: ['RESET_TOKEN_INVALID'], 429: ['TOO_MANY_REQUESTS'] })
  async reset(
    @Body() body: ResetPasswordDto,
    @Client() client: ClientInfo,
  ): Promise<ConfirmationResponseDto> {
    await this.accountEmail.resetPassword(body.token, body.newPassword, client);
    return { message: ACCOUNT_EMAIL_MESSAGES.reset };
  }

  @Post('email/change/confirm')
  @HttpCode(200)
  @Public()
  @ApiOperation({ summary: 'Make the new address the account’s, with the token mailed to it' })
  @ApiOkResponse({ type: AccountResponseDto })
  @ApiErrors(BODY_ERRORS, {
    400: ['EMAIL_TOKEN_INVALID'],
    409: ['EMAIL_TAKEN'],
    429: ['TOO_MANY_REQUESTS'],
  })
  async confirmChange(
    @Body() body: MailedTokenDto,
    @Client() client: ClientInfo,
  ): Promise<AccountResponseDto> {
    const account = await this.accountEmail.confirmEmailChange(body.token, client);
    return { message: ACCOUNT_EMAIL_MESSAGES.changed, user: toUserResponse(account) };
  }
}
