import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApiErrors,
  AUTH_ERRORS,
  BEARER_AUTH,
  BODY_ERRORS,
  Client,
  CurrentUser,
} from '../../common/http';
import type { ClientInfo, RequestPrincipal } from '../../common/identity';
import { AuthService } from '../application/auth.service';
import { PasswordChangedResponseDto } from './dto/auth.responses';
import { ChangePasswordDto } from './dto/change-password.dto';

/**
 * A password change lives with the sessions: it ends every session of the user and opens a
 * new one for the caller, whose fresh pair it returns.
 */
@ApiTags('users')
@ApiBearerAuth(BEARER_AUTH)
@Controller('users/me')
export class AccountController {
  constructor(private readonly auth: AuthService) {}

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
}
