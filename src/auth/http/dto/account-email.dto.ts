import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { NoNulCharacter } from '../../../common/validation';
import { CurrentPasswordField, EmailField, NewPasswordField } from '../../../users';

/** The token of a mailed link, as the page read it from the link's fragment. */
function MailedTokenField(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ description: 'The `token` of the mailed link’s `#token=…` fragment' }),
    IsString(),
    MaxLength(256),
    NoNulCharacter(),
  );
}

export class MailedTokenDto {
  @MailedTokenField()
  token!: string;
}

export class ForgotPasswordDto {
  @EmailField()
  email!: string;
}

export class ResetPasswordDto {
  @MailedTokenField()
  token!: string;

  @NewPasswordField()
  newPassword!: string;
}

export class ChangeEmailDto {
  @EmailField()
  newEmail!: string;

  @CurrentPasswordField()
  password!: string;
}
