import { ApiProperty, PartialType } from '@nestjs/swagger';
import { toUserResponse, type UserAccount, UserResponseDto } from '../../../users';
import type { Registered, SignedIn } from '../../application/auth.service';
import type { Session } from '../../domain/session';

export class TokenPairResponseDto {
  @ApiProperty({ description: 'JWT for `Authorization: Bearer`' })
  accessToken!: string;

  @ApiProperty({ description: 'JWT for `POST /auth/refresh`; each refresh replaces it' })
  refreshToken!: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';

  @ApiProperty({ description: 'Access token lifetime in seconds', example: 900 })
  expiresIn!: number;
}

export class SignedInResponseDto extends TokenPairResponseDto {
  @ApiProperty({ example: 'Successfully logged in.' })
  message!: string;

  @ApiProperty({ type: UserResponseDto })
  user!: UserResponseDto;
}

/**
 * A registration: signed in, or (with EMAIL_VERIFICATION=required) the account only, when the
 * token pair's fields are absent.
 */
export class RegisteredResponseDto extends PartialType(TokenPairResponseDto) {
  @ApiProperty({ example: 'Successfully registered.' })
  message!: string;

  @ApiProperty({ type: UserResponseDto })
  user!: UserResponseDto;
}

export class PasswordChangedResponseDto extends TokenPairResponseDto {
  @ApiProperty({ example: 'Password changed.' })
  message!: string;
}

export class LogoutResponseDto {
  @ApiProperty({ example: 'Successfully logged out.' })
  message!: string;
}

export class LogoutAllResponseDto extends LogoutResponseDto {
  @ApiProperty({ description: 'Sessions ended, the caller’s included', example: 2 })
  revokedSessions!: number;
}

export class CurrentSessionDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt!: string;
}

export class StatusResponseDto {
  @ApiProperty({ type: UserResponseDto })
  user!: UserResponseDto;

  @ApiProperty({ type: CurrentSessionDto })
  session!: CurrentSessionDto;
}

export class SessionItemDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', description: 'Last refresh, or creation' })
  lastUsedAt!: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt!: string;

  @ApiProperty({ type: String, nullable: true })
  ip!: string | null;

  @ApiProperty({ type: String, nullable: true })
  userAgent!: string | null;

  @ApiProperty({ description: 'The session of the token making this request' })
  current!: boolean;
}

export class SessionListResponseDto {
  @ApiProperty({ type: [SessionItemDto] })
  items!: SessionItemDto[];
}

/** The confirmations the auth use cases answer with, whichever transport carried the call. */
export const AUTH_MESSAGES = {
  registered: 'Successfully registered.',
  registeredVerifyFirst: 'Registered. Check your email to verify your address.',
  loggedIn: 'Successfully logged in.',
  loggedOut: 'Successfully logged out.',
} as const;

export const ACCOUNT_EMAIL_MESSAGES = {
  verificationSent: 'Verification email sent.',
  verified: 'Email verified.',
  resetSent: 'If an account exists for this email, a reset link was sent.',
  reset: 'Password reset. Please log in.',
  changeConfirmationSent: 'Confirmation sent to the new address.',
  changed: 'Email changed.',
} as const;

export function toSignedInResponse(
  message: string,
  { user, tokens }: SignedIn,
): SignedInResponseDto {
  return { message, user: toUserResponse(user), ...tokens };
}

/** Signed in, or (while addresses must be verified first) only the new account. */
export function toRegisteredResponse({ user, tokens }: Registered): RegisteredResponseDto {
  return tokens
    ? toSignedInResponse(AUTH_MESSAGES.registered, { user, tokens })
    : { message: AUTH_MESSAGES.registeredVerifyFirst, user: toUserResponse(user) };
}

export function toStatusResponse(user: UserAccount, session: Session): StatusResponseDto {
  return {
    user: toUserResponse(user),
    session: {
      id: session.id,
      createdAt: session.createdAt.toISOString(),
      expiresAt: session.expiresAt.toISOString(),
    },
  };
}

export class MessageResponseDto {
  @ApiProperty({ example: 'Verification email sent.' })
  message!: string;
}

export class AccountResponseDto {
  @ApiProperty({ example: 'Email verified.' })
  message!: string;

  @ApiProperty({ type: UserResponseDto })
  user!: UserResponseDto;
}
