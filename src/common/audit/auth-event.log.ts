import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { UnitOfWork } from '../database';
import type { ClientInfo } from '../identity';
import { loggableError } from '../logging/loggable-error';
import { Metrics } from '../metrics';
import { Clock } from '../time';
import { type AuditDetail, type AuditEvent, AuditTrail } from './audit-trail';

/**
 * The events the contract keeps as audit rows. The others (a session opened, a refresh repeated
 * within the reuse interval, a mail requested, a second factor's setup begun...) are log lines
 * and counts only.
 */
export const AUDITED_EVENTS = [
  'user.registered',
  'login.succeeded',
  'login.failed',
  'token.refreshed',
  'refresh.reused',
  'logout',
  'logout.all',
  'session.ended',
  'password.changed',
  'password.reset',
  'email.verified',
  'email.changed',
  'mfa.enabled',
  'mfa.disabled',
  'mfa.recovery_code_used',
  'mfa.reset',
  'user.disabled',
  'user.enabled',
  'user.deleted',
] as const;

export type AuditedEvent = (typeof AUDITED_EVENTS)[number];

const audited: ReadonlySet<string> = new Set(AUDITED_EVENTS);

export function isAuditedEvent(event: string): event is AuditedEvent {
  return audited.has(event);
}

/** Whose account an event concerns, when one is known, and whatever else tells it apart. */
export interface AuthEventFields {
  readonly userId?: string;
  /** Who did it when it is not the user itself: an admin. */
  readonly actorId?: string;
  /** Details are kept in the audit row too: never a password, token, code or secret. */
  readonly [detail: string]: AuditDetail | undefined;
}

/** One auth event as it is logged: `{ event, userId?, ip, ...details }`. */
export interface AuthEventEntry extends AuthEventFields {
  readonly event: string;
  readonly ip: string | null;
}

/**
 * The one writer of auth events (sign-ins, sessions, password changes, disables, deletions) for
 * every module, all in one shape: a row in the audit trail for the events the contract lists, a
 * log line with the message `auth event` (the request id comes from the request context) and a
 * count in `tempmessenger_auth_events_total`.
 */
@Injectable()
export class AuthEventLog {
  private readonly logger = new Logger('AuthEvents');

  constructor(
    private readonly metrics: Metrics,
    private readonly trail: AuditTrail,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  /**
   * An event of a change, recorded inside the change's unit of work: its row joins the
   * transaction, so a change that rolls back leaves no row and a row that cannot be written
   * rolls the change back. The log line and the count wait for the commit.
   */
  async record(event: string, client: ClientInfo, fields: AuthEventFields = {}): Promise<void> {
    const { userId, actorId = userId, ...details } = fields;
    if (isAuditedEvent(event)) {
      await this.trail.append(this.row(event, client, { userId, actorId, details }));
    }
    this.unitOfWork.afterCommit(() => this.write(entryOf(event, client, fields)));
  }

  /**
   * A refused attempt (a failed login), which changes nothing the row could join: it is written
   * on its own, with no actor (a refusal proves nobody), and a failure to write it is logged, so
   * the caller's answer stays the 401 it was.
   */
  async recordRefusal(
    event: AuditedEvent,
    client: ClientInfo,
    fields: AuthEventFields = {},
  ): Promise<void> {
    const { userId, ...details } = fields;
    try {
      await this.trail.append(this.row(event, client, { userId, actorId: undefined, details }));
    } catch (error) {
      this.logger.error({ err: loggableError(error), event }, 'Could not write an audit row');
    }
    this.write(entryOf(event, client, fields));
  }

  /** Where every event's log line and count go: the one place to add another destination. */
  protected write(entry: AuthEventEntry): void {
    this.logger.log(entry, 'auth event');
    this.metrics.authEvent(entry.event);
  }

  private row(
    event: AuditedEvent,
    client: ClientInfo,
    who: { userId?: string; actorId?: string; details: Record<string, AuditDetail | undefined> },
  ): AuditEvent {
    return {
      id: randomUUID(),
      event,
      userId: who.userId ?? null,
      actorId: who.actorId ?? null,
      ip: client.ip,
      userAgent: client.userAgent,
      requestId: client.requestId,
      at: this.clock.now(),
      details: definedOnly(who.details),
    };
  }
}

function entryOf(event: string, client: ClientInfo, fields: AuthEventFields): AuthEventEntry {
  const { userId, ...details } = fields;
  return { event, userId, ip: client.ip, ...details };
}

function definedOnly(
  details: Record<string, AuditDetail | undefined>,
): Record<string, AuditDetail> {
  return Object.fromEntries(
    Object.entries(details).filter(
      (entry): entry is [string, AuditDetail] => entry[1] !== undefined,
    ),
  );
}
