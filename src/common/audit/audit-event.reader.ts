import { Injectable } from '@nestjs/common';
import { isoTimeCursor } from '../pagination';
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
    // Ids are kept in lower case; the admin may spell one in any (validated as a UUID).
    const userId = filter.userId?.toLowerCase();
    const page = await this.trail.page({ userId, event: filter.event }, limit, after);
    return {
      items: page.items,
      nextCursor: page.next ? isoTimeCursor.encode(page.next) : null,
    };
  }
}
