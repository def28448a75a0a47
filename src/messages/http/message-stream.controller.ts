import { Controller, Get, Req, Res } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
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
      'Reconnecting with `Last-Event-ID` (or `?lastEventId=`) replays the events missed since ' +
      '(a `message.created` only while its message is live, with its current `expiresInMs`). ' +
      'The service keeps the last `SSE_REPLAY_WINDOW` events, none older than the longest ' +
      'message lifetime: for an id it does not hold (unknown, malformed or too old) it sends one ' +
      '`resync` event instead (data `{}`), and nothing of the past: re-read `GET /messages`. At ' +
      'most `SSE_MAX_CLIENTS` streams are open per instance and `SSE_MAX_CLIENTS_PER_IP` per ' +
      'client address; a stream ends after `SSE_MAX_STREAM_AGE`, and its client resumes with ' +
      '`Last-Event-ID`, missing nothing.',
  })
  // No @ApiProduces: it would label the JSON error answers text/event-stream too; the 200
  // answer names its own media type below.
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'The id of the last event received, to resume after it',
  })
  @ApiQuery({
    name: 'lastEventId',
    required: false,
    type: String,
    description: 'As `Last-Event-ID`, for clients that cannot set headers; the header wins',
  })
  @ApiExtraModels(MessageResponseDto)
  @ApiOkResponse({
    description:
      'A `text/event-stream`, ended after `SSE_MAX_STREAM_AGE`. Event `message.created`: data ' +
      `[MessageResponseDto](${getSchemaPath(MessageResponseDto)}); event \`message.deleted\`: data \`{ "id": "<uuid>" }\`; ` +
      'event `resync`: data `{}`, re-read `GET /messages`.',
    content: {
      'text/event-stream': {
        schema: { type: 'string' },
        example:
          'retry: 3000\n\nevent: message.created\nid: 1764081234567-0\ndata: {"id":"…","message":"Hello",…}\n\n' +
          'event: message.deleted\nid: 1764081240000-0\ndata: {"id":"…"}\n\n:\n\n',
      },
    },
  })
  @ApiErrors({ 429: ['TOO_MANY_STREAMS'], 503: ['TOO_MANY_STREAMS'] })
  stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.hub.open(request, reply);
  }
}
