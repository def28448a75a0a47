import { ApiProperty } from '@nestjs/swagger';
import { type Role, ROLES } from '../../../common/identity';
import type { UserAccount } from '../../application/user-account';

export class UserResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ example: 'Ada' })
  firstName!: string;

  @ApiProperty({ example: 'Lovelace' })
  lastName!: string;

  @ApiProperty({ enum: ROLES })
  role!: Role;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'When the address was verified; null until then',
  })
  emailVerifiedAt!: string | null;

  @ApiProperty({ description: 'Whether signing in asks for a TOTP code after the password' })
  mfaEnabled!: boolean;
}

/** What admins see: the user and whether it is disabled. */
export class AdminUserResponseDto extends UserResponseDto {
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  disabledAt!: string | null;
}

export class UserListResponseDto {
  @ApiProperty({ type: [AdminUserResponseDto] })
  items!: AdminUserResponseDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page' })
  nextCursor!: string | null;
}

export function toUserResponse(account: UserAccount): UserResponseDto {
  return {
    id: account.id,
    email: account.email,
    firstName: account.firstName,
    lastName: account.lastName,
    role: account.role,
    createdAt: account.createdAt.toISOString(),
    emailVerifiedAt: account.emailVerifiedAt?.toISOString() ?? null,
    mfaEnabled: account.mfaEnabled,
  };
}

export function toAdminUserResponse(account: UserAccount): AdminUserResponseDto {
  return { ...toUserResponse(account), disabledAt: account.disabledAt?.toISOString() ?? null };
}
