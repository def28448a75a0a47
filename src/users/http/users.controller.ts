import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ADMIN_ERRORS,
  ApiErrors,
  AUTH_ERRORS,
  BEARER_AUTH,
  BODY_ERRORS,
  Client,
  CurrentUser,
  Roles,
} from '../../common/http';
// RequestPrincipal not from auth's door, which re-exports it: auth depends on users.
import type { ClientInfo, RequestPrincipal } from '../../common/identity';
import type { UserAccount } from '../application/user-account';
import { UsersService } from '../application/users.service';
import { CallerAccount } from './caller-account.decorator';
import { DeleteAccountDto } from './dto/delete-account.dto';
import { ListUsersQuery } from './dto/list-users.query';
import { UpdateProfileDto } from './dto/update-profile.dto';
import {
  AdminUserResponseDto,
  toAdminUserResponse,
  toUserResponse,
  UserListResponseDto,
  UserResponseDto,
} from './dto/user.response';
import { PAGE_SIZE_DEFAULT } from '../../common/pagination';

@ApiTags('users')
@ApiBearerAuth(BEARER_AUTH)
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOperation({ summary: 'The caller' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiErrors(AUTH_ERRORS)
  me(@CallerAccount() account: UserAccount): UserResponseDto {
    return toUserResponse(account);
  }

  @Patch('me')
  @ApiOperation({ summary: 'Change the caller’s names; `{}` changes nothing' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiErrors(AUTH_ERRORS, BODY_ERRORS)
  async updateMe(
    @CurrentUser() caller: RequestPrincipal,
    @Body() body: UpdateProfileDto,
  ): Promise<UserResponseDto> {
    return toUserResponse(await this.users.updateProfile(caller.userId, body));
  }

  @Delete('me')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete the caller, its sessions and its messages' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(AUTH_ERRORS, BODY_ERRORS, { 400: ['WRONG_PASSWORD'] })
  async deleteMe(
    @CurrentUser() caller: RequestPrincipal,
    @Body() body: DeleteAccountDto,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.users.deleteAccount(caller.userId, body.password, client);
  }

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'List users, oldest first (admin)' })
  @ApiOkResponse({ type: UserListResponseDto })
  @ApiErrors(ADMIN_ERRORS, { 400: ['VALIDATION_FAILED'] })
  async list(@Query() query: ListUsersQuery): Promise<UserListResponseDto> {
    const page = await this.users.listAccounts(query.limit ?? PAGE_SIZE_DEFAULT, query.cursor);
    return { items: page.items.map(toAdminUserResponse), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'One user (admin)' })
  @ApiOkResponse({ type: AdminUserResponseDto })
  @ApiErrors(ADMIN_ERRORS, { 404: ['USER_NOT_FOUND'] })
  async get(@Param('id') id: string): Promise<AdminUserResponseDto> {
    return toAdminUserResponse(await this.users.getAccount(id));
  }

  @Post(':id/disable')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Disable a user and end all its sessions at once (admin)' })
  @ApiOkResponse({ type: AdminUserResponseDto })
  @ApiErrors(ADMIN_ERRORS, { 404: ['USER_NOT_FOUND'] })
  async disable(
    @CurrentUser() admin: RequestPrincipal,
    @Param('id') id: string,
    @Client() client: ClientInfo,
  ): Promise<AdminUserResponseDto> {
    return toAdminUserResponse(await this.users.disable(id, admin.userId, client));
  }

  @Post(':id/enable')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Enable a disabled user (admin)' })
  @ApiOkResponse({ type: AdminUserResponseDto })
  @ApiErrors(ADMIN_ERRORS, { 404: ['USER_NOT_FOUND'] })
  async enable(
    @CurrentUser() admin: RequestPrincipal,
    @Param('id') id: string,
    @Client() client: ClientInfo,
  ): Promise<AdminUserResponseDto> {
    return toAdminUserResponse(await this.users.enable(id, admin.userId, client));
  }
}
