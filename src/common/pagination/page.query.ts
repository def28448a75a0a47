import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { OptionalNotNull } from '../validation';
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from './page-size';

/** The query of a list route; a subclass adds its `cursor` with `CursorField`. */
export abstract class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: PAGE_SIZE_MAX, default: PAGE_SIZE_DEFAULT })
  @OptionalNotNull()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(PAGE_SIZE_MAX)
  limit?: number;

  abstract cursor?: string;
}

/** A `nextCursor` handed back; each list bounds it by the length its own cursors can have. */
export function CursorField(maxLength: number): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description: '`nextCursor` of the previous page' }),
    OptionalNotNull(),
    IsString(),
    MaxLength(maxLength),
  );
}
