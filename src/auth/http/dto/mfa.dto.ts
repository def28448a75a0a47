import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsString,
  Length,
  ValidateIf,
  ValidationArguments,
  registerDecorator,
} from 'class-validator';
import { NoNulCharacter } from '../../../common/validation';
import { CurrentPasswordField } from '../../../users';
import type { SecondFactorProof } from '../../domain/totp-factor';

const MAX_CODE_LENGTH = 64;

/** A code as typed: any string of a sane length; one of the wrong shape is just a wrong code. */
function CodeField(description: string, required = true): PropertyDecorator {
  return applyDecorators(
    required
      ? ApiProperty({ description, example: '123456', maxLength: MAX_CODE_LENGTH })
      : ApiPropertyOptional({ description, maxLength: MAX_CODE_LENGTH }),
    IsString(),
    Length(1, MAX_CODE_LENGTH),
    NoNulCharacter(),
  );
}

/** Exactly one of this property and `other` is given. */
function ExactlyOneOf(other: string): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'exactlyOneOf',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [other],
      options: {
        message: ({ property, constraints }: ValidationArguments) =>
          `give exactly one of ${property} and ${String(constraints[0])}`,
      },
      validator: {
        validate: (value: unknown, { object, constraints }: ValidationArguments) =>
          (value === undefined) !==
          ((object as Record<string, unknown>)[String(constraints[0])] === undefined),
      },
    });
}

export class MfaSetupDto {
  @CurrentPasswordField()
  password!: string;
}

export class MfaCodeDto {
  @CodeField('The 6-digit code the authenticator app shows now')
  code!: string;
}

export class MfaDisableDto {
  @CurrentPasswordField()
  password!: string;

  @CodeField('A code from the authenticator app, or an unused recovery code')
  code!: string;
}

export class MfaVerifyDto {
  @ApiProperty({ description: 'The `mfaToken` of the login answer' })
  @IsString()
  @Length(1, 256)
  @NoNulCharacter()
  mfaToken!: string;

  // Checked when given, and when neither is: then it says that one of the two is needed.
  @CodeField('The 6-digit code the authenticator app shows now', false)
  @ExactlyOneOf('recoveryCode')
  @ValidateIf((body: MfaVerifyDto) => body.code !== undefined || body.recoveryCode === undefined)
  code?: string;

  @CodeField('One of the recovery codes, in any case; spaces and hyphens are ignored', false)
  @ExactlyOneOf('code')
  @ValidateIf((body: MfaVerifyDto) => body.recoveryCode !== undefined)
  recoveryCode?: string;
}

/** The proof a verify body carries: validation has made sure it holds exactly one of the two. */
export function secondFactorProofOf({ code, recoveryCode }: MfaVerifyDto): SecondFactorProof {
  return code !== undefined ? { code } : { recoveryCode: recoveryCode! };
}
