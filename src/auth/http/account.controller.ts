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
} from '../../common/http';
import type { ClientInfo, RequestPrincipal } from '../../common/identity';
import { AccountEmailService } from '../../users';
import { AuthService } from '../application/auth.service';
import { AuthIpLimitGuard } from './auth-ip-limit.guard';
import { ChangeEmailDto } from './dto/account-email.dto';
import {
  ACCOUNT_EMAIL_MESSAGES,
  ConfirmationResponseDto,
  PasswordChangedResponseDto,
} from './dto/auth.responses';
import { ChangePasswordDto } from './dto/change-password.dto';

/**
 * A password change lives with the sessions: it ends every session of the user and opens a
 * new one for the caller, whose fresh pair it returns. An email change sends mail, so it counts
 * against AUTH_IP_LIMIT like the other mail routes.
 */
@ApiTags('users')
@ApiBearerAuth(BEARER_AUTH)
@Controller('users/me')
export class AccountController {
  constructor(
    private readonly auth: AuthService,
    private readonly accountEmail: AccountEmailService,
  ) {}

  @Post('password')
  @HttpCode(200)
  @ApiOperation({ summary: 'Change the password; every earlier session and token stops working' })
  @ApiOkResponse({ type: PasswordChangedResponseDto })
  @ApiErrors(AUTH_ERRORS, BODY_ERRORS, { 400: ['WRONG_PASSWORD'] })
  async changePassword(
    @CurrentUser() caller: RequestPrincipal,
    @Body() body: ChangePasswordDto,
    @Client() client: ClientInfo,
  ): Promise<PasswordChangedResponseDto> {
    const tokens = await this.auth.changePassword(
      caller,
      body.currentPassword,
      body.newPassword,
      client,
    );
    return { message: 'Password changed.', ...tokens };
  }

  @Post('email')
  @HttpCode(202)
  @UseGuards(AuthIpLimitGuard)
  @ApiOperation({
    summary: 'Move the account to a new address, once confirmed from it',
    description:
      'Mails a confirmation link to the new address and a notice to the current one; the ' +
      'address changes when the link is used (`POST /auth/email/change/confirm`).',
  })
  @ApiAcceptedResponse({ type: ConfirmationResponseDto })
  @ApiErrors(AUTH_ERRORS, BODY_ERRORS, {
    400: ['WRONG_PASSWORD'],
    409: ['EMAIL_TAKEN'],
    429: ['TOO_MANY_REQUESTS'],
  })
  async changeEmail(
    @CurrentUser() caller: RequestPrincipal,
    @Body() body: ChangeEmailDto,
    @Client() client: ClientInfo,
  ): Promise<ConfirmationResponseDto> {
    await this.accountEmail.requestEmailChange(caller.userId, body.newEmail, body.password, client);
    return { message: ACCOUNT_EMAIL_MESSAGES.changeConfirmationSent };
  }
}
