import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import {
  CodePointLength,
  MaxUtf8Bytes,
  NoControlCharacters,
  NoNulCharacter,
  Trim,
  TrimLowercase,
} from '../../../common/validation';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from '../../domain/password';

/** Input rules of a new password: 8 characters to 72 bytes of UTF-8 (bcrypt's limit), no NUL. */
export function NewPasswordField(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      description: `${PASSWORD_MIN_LENGTH} characters to ${PASSWORD_MAX_BYTES} bytes of UTF-8`,
      example: 'correct horse battery staple',
      minLength: PASSWORD_MIN_LENGTH,
    }),
    IsString(),
    MinLength(PASSWORD_MIN_LENGTH),
    MaxUtf8Bytes(PASSWORD_MAX_BYTES),
    NoNulCharacter(),
  );
}

/** An existing password to check: any string without NUL, compared as given. */
export function CurrentPasswordField(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ example: 'correct horse battery staple' }),
    IsString(),
    NoNulCharacter(),
  );
}

/** Trimmed, lower-cased, valid, at most 254 characters. */
export function EmailField(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ example: 'ada@example.com', maxLength: 254 }),
    TrimLowercase(),
    IsString(),
    MaxLength(254),
    IsEmail(),
  );
}

/** A first or last name: trimmed, 1–100 characters, no control characters. */
export function NameField(example: string, required = true): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ example, minLength: 1, maxLength: 100, required }),
    Trim(),
    IsString(),
    CodePointLength(1, 100),
    NoControlCharacters(),
  );
}
