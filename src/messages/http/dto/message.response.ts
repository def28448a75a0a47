import { ApiProperty } from '@nestjs/swagger';
import type { MessageListPage } from '../../application/messages.service';
import type { Message } from '../../domain/message';

export class MessageResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'Hello, world' })
  message!: string;

  @ApiProperty({ description: 'The author’s email', example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ format: 'uuid', description: 'The author’s id' })
  userId!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt!: string;

  @ApiProperty({ description: 'Milliseconds left until the message vanishes', example: 299500 })
  expiresInMs!: number;
}

export class MessageListResponseDto {
  @ApiProperty({ type: [MessageResponseDto], description: 'Soonest to expire first' })
  items!: MessageResponseDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page' })
  nextCursor!: string | null;
}

/**
 * A message's two times as answered. A message never changes, and the store hands out the same
 * object for a message it has listed before, so a listing formats each time once, not on every
 * request; the entry goes with the message object.
 */
const answeredTimes = new WeakMap<Message, { createdAt: string; expiresAt: string }>();

export function toMessageResponse(message: Message, now: Date): MessageResponseDto {
  let times = answeredTimes.get(message);
  if (!times) {
    times = {
      createdAt: message.createdAt.toISOString(),
      expiresAt: message.expiresAt.toISOString(),
    };
    answeredTimes.set(message, times);
  }
  return {
    id: message.id,
    message: message.text,
    email: message.authorEmail,
    userId: message.authorId,
    createdAt: times.createdAt,
    expiresAt: times.expiresAt,
    expiresInMs: Math.max(0, message.expiresAt.getTime() - now.getTime()),
  };
}

export function toMessageListResponse(page: MessageListPage, now: Date): MessageListResponseDto {
  return {
    items: page.items.map((message) => toMessageResponse(message, now)),
    nextCursor: page.nextCursor,
  };
}
