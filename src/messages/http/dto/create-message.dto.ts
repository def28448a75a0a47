import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, Min } from 'class-validator';
import { CodePointLength, NoNulCharacter, OptionalNotNull, Trim } from '../../../common/validation';
import { MESSAGE_MAX_LENGTH } from '../../domain/message';

export class CreateMessageDto {
  @ApiProperty({ description: '1 to 1000 characters after trimming', example: 'Hello, world' })
  @Trim()
  @IsString()
  @CodePointLength(1, MESSAGE_MAX_LENGTH)
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
