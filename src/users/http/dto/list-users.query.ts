import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { OptionalNotNull } from '../../../common/validation';

export const USERS_PAGE_DEFAULT = 100;
export const USERS_PAGE_MAX = 500;

export class ListUsersQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: USERS_PAGE_MAX, default: USERS_PAGE_DEFAULT })
  @OptionalNotNull()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(USERS_PAGE_MAX)
  limit?: number;

  @ApiPropertyOptional({ description: '`nextCursor` of the previous page' })
  @OptionalNotNull()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}
