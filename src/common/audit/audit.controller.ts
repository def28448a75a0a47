import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ADMIN_ERRORS, ApiErrors, AUTH_ERRORS, BEARER_AUTH, CurrentUser, Roles } from '../http';
import type { RequestPrincipal } from '../identity';
import { PAGE_SIZE_DEFAULT } from '../pagination';
import { AuditEventReader, type AuditEventPage } from './audit-event.reader';
import {
  AuditEventListResponseDto,
  AuditEventsQuery,
  SecurityEventsQuery,
  toAuditEventResponse,
} from './audit-events.dto';

@ApiTags('audit')
@ApiBearerAuth(BEARER_AUTH)
@Controller()
export class AuditController {
  constructor(private readonly reader: AuditEventReader) {}

  @Get('admin/audit-events')
  @Roles('admin')
  @ApiOperation({ summary: 'The audit trail, newest first, by user and event (admin)' })
  @ApiOkResponse({ type: AuditEventListResponseDto })
  @ApiErrors(ADMIN_ERRORS, { 400: ['VALIDATION_FAILED'] })
  async list(@Query() query: AuditEventsQuery): Promise<AuditEventListResponseDto> {
    const { userId, event, limit = PAGE_SIZE_DEFAULT, cursor } = query;
    return toListResponse(await this.reader.page({ userId, event }, limit, cursor));
  }

  @Get('users/me/security-events')
  @ApiOperation({ summary: 'The caller’s own security events, newest first' })
  @ApiOkResponse({ type: AuditEventListResponseDto })
  @ApiErrors(AUTH_ERRORS, { 400: ['VALIDATION_FAILED'] })
  async mine(
    @CurrentUser() caller: RequestPrincipal,
    @Query() query: SecurityEventsQuery,
  ): Promise<AuditEventListResponseDto> {
    const { limit = PAGE_SIZE_DEFAULT, cursor } = query;
    return toListResponse(await this.reader.page({ userId: caller.userId }, limit, cursor));
  }
}

function toListResponse(page: AuditEventPage): AuditEventListResponseDto {
  return { items: page.items.map(toAuditEventResponse), nextCursor: page.nextCursor };
}
