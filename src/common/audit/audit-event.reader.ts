import { Injectable } from '@nestjs/common';
import { isoTimeCursor } from '../pagination';
import { canonicalUuid } from '../validation';
import type { AuditEvent, AuditFilter } from './audit-trail';
import { AuditTrail } from './audit-trail';

export interface AuditEventPage {
  readonly items: AuditEvent[];
  readonly nextCursor: string | null;
}

/** Reads the audit trail a page at a time, newest first, with the users list's cursors. */
@Injectable()
export class AuditEventReader {
  constructor(private readonly trail: AuditTrail) {}

  async page(filter: AuditFilter, limit: number, cursor?: string): Promise<AuditEventPage> {
    const after = cursor === undefined ? null : isoTimeCursor.decode(cursor);
    // Ids are kept in lower case; a caller may spell them in any.
    const userId = filter.userId === undefined ? undefined : canonicalUuid(filter.userId);
    const page = await this.trail.page({ ...filter, ...(userId && { userId }) }, limit, after);
    return {
      items: page.items,
      nextCursor: page.next ? isoTimeCursor.encode(page.next) : null,
    };
  }
}
