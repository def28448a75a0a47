import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';

/**
 * The `:id` of `/messages/:id`, which REST takes from the path. Any string: an id of the wrong
 * shape is MESSAGE_NOT_FOUND, decided by the service as for REST.
 */
export class MessageIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsString()
  id!: string;
}
