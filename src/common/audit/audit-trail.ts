import type { PagePosition } from '../pagination/page-position';

/** A detail's value: a scalar, so a row stays small and holds nothing it was not meant to. */
export type AuditDetail = string | number | boolean | null;

/** One row of the audit trail: an auth event as it is kept, with no secret in it. */
export interface AuditEvent {
  readonly id: string;
  readonly event: string;
  /** The account it concerns; null for a failed login of an unknown email. */
  readonly userId: string | null;
  /** Who did it: the user, an admin, or null (a failed login proves nobody). */
  readonly actorId: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
  readonly at: Date;
  /** What tells the event apart (a reason, a session id, a count): never a secret. */
  readonly details: Readonly<Record<string, AuditDetail>>;
}

/** Which rows a read wants; an absent field matches any. */
export interface AuditFilter {
  readonly userId?: string;
  readonly event?: string;
}

/** A page, newest first; `next` is where the following (older) page starts, null on the last. */
export interface AuditPage {
  readonly items: AuditEvent[];
  readonly next: PagePosition | null;
}

/**
 * Where the audit trail is kept. Append-only: nothing changes a row, and only the retention prune
 * deletes. A row appended inside a unit of work belongs to its transaction.
 */
export abstract class AuditTrail {
  abstract append(event: AuditEvent): Promise<void>;

  /** Rows matching `filter`, newest first (by time, then id), after `after` when given. */
  abstract page(filter: AuditFilter, limit: number, after: PagePosition | null): Promise<AuditPage>;

  /** For the prune job: deletes up to `limit` rows older than `cutoff`; returns how many. */
  abstract deleteOlderThan(cutoff: Date, limit: number): Promise<number>;
}
