import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { FieldErrorDto } from '../../common/errors';
import { RPC_METHOD_NAMES } from '../rpc-method';

/** OpenAPI schemas of the envelope; the params and results of each method are in docs/json-rpc.md. */
const ID_SCHEMA = {
  // OpenAPI 3.0 has no null type (and no `nullable` beside `oneOf`): one branch admits null.
  oneOf: [{ type: 'string', nullable: true }, { type: 'number' }],
  description: 'A string, a number or null, echoed in the answer; omit it for a notification',
  example: 1,
};

export class JsonRpcRequestDto {
  @ApiProperty({ enum: ['2.0'] })
  jsonrpc!: '2.0';

  @ApiProperty({ enum: RPC_METHOD_NAMES, example: 'message.post' })
  method!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'Named params, validated like the body of the matching REST route; `token` may carry the ' +
      'access token of an authenticated method (the Authorization header wins)',
    example: { message: 'Hello for five minutes', ttlSeconds: 300 },
  })
  params?: Record<string, unknown>;

  @ApiPropertyOptional(ID_SCHEMA)
  id?: string | number | null;
}

export class JsonRpcErrorDataDto {
  @ApiProperty({ example: 'TOKEN_EXPIRED', description: 'The error code REST answers with' })
  code!: string;

  @ApiProperty({ example: 'Signature expired. Please log in again.' })
  message!: string;

  @ApiPropertyOptional({
    type: [FieldErrorDto],
    description: 'Per-field messages, for -32602 only',
  })
  details?: FieldErrorDto[];

  @ApiPropertyOptional({ description: 'For 429 only: seconds to wait', example: 42 })
  retryAfterSeconds?: number;
}

export class JsonRpcErrorDto {
  @ApiProperty({
    example: 401,
    description:
      '-32700, -32600, -32601, -32602, -32603 as the specification says; otherwise the HTTP ' +
      'status the REST route answers (401, 403, 404, 409, 429, 503)',
  })
  code!: number;

  @ApiProperty({ example: 'Unauthorized' })
  message!: string;

  @ApiProperty({ type: JsonRpcErrorDataDto })
  data!: JsonRpcErrorDataDto;
}

export class JsonRpcResponseDto {
  @ApiProperty({ enum: ['2.0'] })
  jsonrpc!: '2.0';

  @ApiPropertyOptional({ description: 'On success: what the REST route answers', example: {} })
  result?: unknown;

  @ApiPropertyOptional({ type: JsonRpcErrorDto, description: 'On failure' })
  error?: JsonRpcErrorDto;

  @ApiProperty(ID_SCHEMA)
  id!: string | number | null;
}
