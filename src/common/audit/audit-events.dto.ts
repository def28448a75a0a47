import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsUUID } from 'class-validator';
import { CursorField, PageQuery } from '../pagination';
import { OptionalNotNull } from '../validation';
import type { AuditEvent } from './audit-trail';
import { AUDITED_EVENTS, type AuditedEvent } from './auth-event.log';

/** `["<ISO time>","<uuid>"]` in base64url stays well under this. */
const CURSOR_MAX_LENGTH = 256;

export class SecurityEventsQuery extends PageQuery {
  @CursorField(CURSOR_MAX_LENGTH)
  cursor?: string;
}

export class AuditEventsQuery extends SecurityEventsQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only the events of this account' })
  @OptionalNotNull()
  @IsUUID('all')
  userId?: string;

  @ApiPropertyOptional({ enum: AUDITED_EVENTS, description: 'Only events of this kind' })
  @OptionalNotNull()
  @IsIn(AUDITED_EVENTS)
  event?: AuditedEvent;
}

export class AuditEventResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: AUDITED_EVENTS })
  event!: string;

  @ApiProperty({
    format: 'uuid',
    type: String,
    nullable: true,
    description: 'The account it concerns; null for a failed login of an unknown email',
  })
  userId!: string | null;

  @ApiProperty({
    format: 'uuid',
    type: String,
    nullable: true,
    description: 'Who did it: the user, an admin, or null (a failed login)',
  })
  actorId!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' })
  ip!: string | null;

  @ApiProperty({ type: String, nullable: true })
  userAgent!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The request’s `X-Request-Id`' })
  requestId!: string | null;

  @ApiProperty({ format: 'date-time' })
  at!: string;
}

export class AuditEventListResponseDto {
  @ApiProperty({ type: [AuditEventResponseDto] })
  items!: AuditEventResponseDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page' })
  nextCursor!: string | null;
}

/** The details stay in the database: the answer has exactly the contract's fields. */
export function toAuditEventResponse(event: AuditEvent): AuditEventResponseDto {
  return {
    id: event.id,
    event: event.event,
    userId: event.userId,
    actorId: event.actorId,
    ip: event.ip,
    userAgent: event.userAgent,
    requestId: event.requestId,
    at: event.at.toISOString(),
  };
}
