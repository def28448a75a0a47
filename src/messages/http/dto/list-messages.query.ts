import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { OptionalNotNull } from '../../../common/validation';

export const MESSAGES_PAGE_DEFAULT = 100;
export const MESSAGES_PAGE_MAX = 500;

export class ListMessagesQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MESSAGES_PAGE_MAX, default: MESSAGES_PAGE_DEFAULT })
  @OptionalNotNull()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MESSAGES_PAGE_MAX)
  limit?: number;

  @ApiPropertyOptional({ description: '`nextCursor` of the previous page' })
  @OptionalNotNull()
  @IsString()
  @MaxLength(256)
  cursor?: string;
}
