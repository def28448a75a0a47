import { Injectable, Logger } from '@nestjs/common';
import type { ClientInfo } from '../identity';
import { Metrics } from '../metrics';

/** Whose account an event concerns, when one is known, and whatever else tells it apart. */
export interface AuthEventFields {
  readonly userId?: string;
  readonly [detail: string]: unknown;
}

/** One auth event as it is kept: `{ event, userId?, ip, ...details }`. */
export interface AuthEventEntry extends AuthEventFields {
  readonly event: string;
  readonly ip: string | null;
}

/**
 * The one writer of auth events (sign-ins, sessions, password changes, disables, deletions) for
 * every module, all in one shape. Today each is a log line with the message `auth event` (the
 * request id comes from the request context) and a count in `tempmessenger_auth_events_total`;
 * an audit trail is written from here too.
 */
@Injectable()
export class AuthEventLog {
  private readonly logger = new Logger('AuthEvents');

  constructor(private readonly metrics: Metrics) {}

  record(event: string, client: ClientInfo, { userId, ...details }: AuthEventFields = {}): void {
    this.write({ event, userId, ip: client.ip, ...details });
  }

  /** Where every event goes: the one place to add another destination. */
  protected write(entry: AuthEventEntry): void {
    this.logger.log(entry, 'auth event');
    this.metrics.authEvent(entry.event);
  }
}
