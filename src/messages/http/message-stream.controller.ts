import { Controller, Get, Req, Res } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiErrors, Public } from '../../common/http';
import { MessageResponseDto } from './dto/message.response';
import { MessageStreamHub, STREAM_HEARTBEAT_MS } from './message-stream.hub';

@ApiTags('messages')
@Controller('messages')
export class MessageStreamController {
  constructor(private readonly hub: MessageStreamHub) {}

  @Get('stream')
  @Public()
  @ApiOperation({
    summary: 'Live message events (Server-Sent Events)',
    description:
      '`message.created` (data: a message) and `message.deleted` (data: `{ id }`), from every ' +
      `instance of the service; a comment line every ${STREAM_HEARTBEAT_MS / 1000} s keeps the ` +
      'connection open. Expiry sends no event: drop a message when its `expiresAt` passes. ' +
      'Reconnecting with `Last-Event-ID` replays the events missed since, while the service ' +
      'still holds them (the last 1000 or so); otherwise re-read `GET /messages`. At most ' +
      '`SSE_MAX_CLIENTS` streams are open per instance.',
  })
  // No @ApiProduces: it would label the JSON error answers text/event-stream too; the 200
  // answer names its own media type below.
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'The id of the last event received, to resume after it',
  })
  @ApiExtraModels(MessageResponseDto)
  @ApiOkResponse({
    description:
      'An endless `text/event-stream`. Event `message.created`: data ' +
      `[MessageResponseDto](${getSchemaPath(MessageResponseDto)}); event \`message.deleted\`: data \`{ "id": "<uuid>" }\`.`,
    content: {
      'text/event-stream': {
        schema: { type: 'string' },
        example:
          'retry: 3000\n\nevent: message.created\nid: 1764081234567-0\ndata: {"id":"…","message":"Hello",…}\n\n' +
          'event: message.deleted\nid: 1764081240000-0\ndata: {"id":"…"}\n\n:\n\n',
      },
    },
  })
  @ApiErrors({ 503: ['TOO_MANY_STREAMS'] })
  stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.hub.open(request, reply);
  }
}
