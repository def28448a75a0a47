import { ApiProperty, PartialType } from '@nestjs/swagger';
import { toUserResponse, type UserAccount, UserResponseDto } from '../../../users';
import type { Registered, SignedIn } from '../../application/auth.service';
import type { SecondFactorRequired } from '../../application/mfa.service';
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
  secondFactorRequired: 'Second factor required.',
} as const;

export const MFA_MESSAGES = {
  enabled: 'Two-factor authentication enabled.',
  disabled: 'Two-factor authentication disabled.',
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

export class ConfirmationResponseDto {
  @ApiProperty({ example: 'Verification email sent.' })
  message!: string;
}

export class AccountResponseDto {
  @ApiProperty({ example: 'Email verified.' })
  message!: string;

  @ApiProperty({ type: UserResponseDto })
  user!: UserResponseDto;
}

/** The first step of a login whose account has a second factor: no session yet. */
export class SecondFactorRequiredResponseDto {
  @ApiProperty({ example: 'Second factor required.' })
  message!: string;

  @ApiProperty({ enum: [true] })
  mfaRequired!: true;

  @ApiProperty({ description: 'For `POST /auth/mfa/verify`; single use' })
  mfaToken!: string;

  @ApiProperty({ description: 'Seconds the mfaToken stays valid', example: 300 })
  expiresIn!: number;
}

/** A login's answer: signed in, or asked for the second factor. */
export function toLoginResponse(
  outcome: SignedIn | SecondFactorRequired,
): SignedInResponseDto | SecondFactorRequiredResponseDto {
  return 'mfaToken' in outcome
    ? { message: AUTH_MESSAGES.secondFactorRequired, mfaRequired: true, ...outcome }
    : toSignedInResponse(AUTH_MESSAGES.loggedIn, outcome);
}

export class TotpEnrollmentResponseDto {
  @ApiProperty({
    description: 'Base32, for entering by hand',
    example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  })
  secret!: string;

  @ApiProperty({
    example: 'otpauth://totp/TempMessenger:ada%40example.com?secret=…&issuer=TempMessenger',
  })
  otpauthUri!: string;

  @ApiProperty({ description: 'The otpauth URI as an SVG QR code' })
  qrSvg!: string;
}

export class RecoveryCodesResponseDto {
  @ApiProperty({
    type: [String],
    description: 'Shown once; each works once',
    example: ['7KQ2MZ9XHD'],
  })
  recoveryCodes!: string[];
}

export class MfaEnabledResponseDto extends RecoveryCodesResponseDto {
  @ApiProperty({ example: 'Two-factor authentication enabled.' })
  message!: string;
}
