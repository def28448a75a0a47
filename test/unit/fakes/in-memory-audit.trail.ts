import {
  type AuditEvent,
  type AuditFilter,
  type AuditPage,
  AuditTrail,
} from '../../../src/common/audit';
import type { PagePosition } from '../../../src/common/pagination';

/** Newest first, then by id downwards: the order the PostgreSQL trail reads in. */
function newestFirst(a: AuditEvent, b: AuditEvent): number {
  return b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

function isAfter(event: AuditEvent, position: PagePosition): boolean {
  const at = event.at.getTime();
  return at < position.at || (at === position.at && event.id < position.id);
}

export class InMemoryAuditTrail extends AuditTrail {
  readonly events: AuditEvent[] = [];

  async append(event: AuditEvent): Promise<void> {
    if (this.events.some((kept) => kept.id === event.id)) throw new Error('duplicate audit id');
    this.events.push({ ...event, details: { ...event.details } });
  }

  async page(filter: AuditFilter, limit: number, after: PagePosition | null): Promise<AuditPage> {
    const rest = this.events
      .filter((event) => filter.userId === undefined || event.userId === filter.userId)
      .filter((event) => filter.event === undefined || event.event === filter.event)
      .filter((event) => after === null || isAfter(event, after))
      .sort(newestFirst);
    const items = rest.slice(0, limit);
    const last = items.at(-1);
    return {
      items,
      next: rest.length > limit && last ? { at: last.at.getTime(), id: last.id } : null,
    };
  }

  async deleteOlderThan(cutoff: Date, limit: number): Promise<number> {
    const doomed = this.events
      .filter((event) => event.at < cutoff)
      .sort((a, b) => -newestFirst(a, b))
      .slice(0, limit);
    for (const event of doomed) this.events.splice(this.events.indexOf(event), 1);
    return doomed.length;
  }
}
