import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, Min } from 'class-validator';
import { CodePointLength, NoNulCharacter, OptionalNotNull, Trim } from '../../../common/validation';
import { MESSAGE_LENGTH_RULE, MESSAGE_MAX_LENGTH, MESSAGE_MIN_LENGTH } from '../../domain/message';

export class CreateMessageDto {
  @ApiProperty({ description: MESSAGE_LENGTH_RULE, example: 'Hello, world' })
  @Trim()
  @IsString()
  @CodePointLength(MESSAGE_MIN_LENGTH, MESSAGE_MAX_LENGTH)
  @NoNulCharacter()
  message!: string;

  @ApiPropertyOptional({
    description:
      'Lifetime in seconds, 1 to MESSAGE_MAX_TTL_SECONDS; MESSAGE_TTL_SECONDS when omitted',
    example: 300,
  })
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  ttlSeconds?: number;
}
