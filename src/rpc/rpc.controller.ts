import { Body, Controller, Header, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiErrors, BEARER_AUTH, Public } from '../common/http';
import { JsonRpcRequestDto, JsonRpcResponseDto } from './dto/json-rpc.dto';
import { type RpcAnswer, RpcDispatcher } from './rpc.dispatcher';

export const RPC_ROUTE = '/rpc';

const oneOrBatch = (model: string) => ({
  oneOf: [{ $ref: getSchemaPath(model) }, { type: 'array', items: { $ref: getSchemaPath(model) } }],
});

@ApiTags('json-rpc')
@ApiExtraModels(JsonRpcRequestDto, JsonRpcResponseDto)
@Controller(RPC_ROUTE)
export class RpcController {
  constructor(private readonly dispatcher: RpcDispatcher) {}

  /**
   * Public at the HTTP level: each call authenticates on its own, so one batch can mix public and
   * authenticated calls, and a refused call does not refuse its neighbours.
   */
  @Post()
  @Public()
  @HttpCode(200)
  // Answers carry tokens and account data.
  @Header('Cache-Control', 'no-store')
  @ApiBearerAuth(BEARER_AUTH)
  @ApiOperation({
    summary: 'JSON-RPC 2.0: one call or a batch (see docs/json-rpc.md for every method)',
    description:
      'Methods: user.register, user.login (alias user.verify), auth.mfa.verify, auth.refresh, ' +
      'auth.logout, ' +
      'auth.status, auth.email.verify, auth.email.verify.request, auth.password.forgot, ' +
      'auth.password.reset, user.me, message.list, message.get, message.post, message.delete. ' +
      'Authenticated methods read `Authorization: Bearer`, or a `token` param. Every answer the ' +
      'protocol gives is HTTP 200 (a parse error included); notifications only: 204. A body ' +
      'refused unread keeps its REST answer (413, 415).',
  })
  @ApiBody({
    schema: oneOrBatch('JsonRpcRequestDto'),
    examples: {
      call: {
        value: {
          jsonrpc: '2.0',
          method: 'user.login',
          params: { email: 'ada@example.com', password: 'correct horse battery' },
          id: 1,
        },
      },
      batch: {
        value: [
          { jsonrpc: '2.0', method: 'message.list', params: { limit: 2 }, id: 'list' },
          { jsonrpc: '2.0', method: 'message.post', params: { message: 'Hi' } },
        ],
      },
    },
  })
  @ApiOkResponse({
    description: 'A response, or an array of them for a batch',
    schema: oneOrBatch('JsonRpcResponseDto'),
    examples: {
      result: {
        summary: 'Success',
        value: { jsonrpc: '2.0', result: { message: 'Successfully logged out.' }, id: 1 },
      },
      error: {
        summary: 'A domain failure',
        value: {
          jsonrpc: '2.0',
          error: {
            code: 401,
            message: 'Unauthorized',
            data: { code: 'TOKEN_EXPIRED', message: 'Signature expired. Please log in again.' },
          },
          id: 1,
        },
      },
      parseError: {
        summary: 'Unparsable body',
        value: {
          jsonrpc: '2.0',
          error: {
            code: -32700,
            message: 'Parse error',
            data: { code: 'MALFORMED_JSON', message: 'Request body is not valid JSON.' },
          },
          id: null,
        },
      },
    },
  })
  @ApiNoContentResponse({ description: 'Only notifications: nothing to answer' })
  @ApiErrors({ 413: ['PAYLOAD_TOO_LARGE'], 415: ['UNSUPPORTED_MEDIA_TYPE'] })
  async call(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RpcAnswer> {
    const answer = await this.dispatcher.dispatch(body, request);
    if (answer === undefined) reply.code(204);
    return answer;
  }
}
