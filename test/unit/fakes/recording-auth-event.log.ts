import { type AuthEventEntry, AuthEventLog } from '../../../src/common/audit';
import type { UnitOfWork } from '../../../src/common/database';
import { Metrics } from '../../../src/common/metrics';
import type { Clock } from '../../../src/common/time';
import { FixedClock } from './fixed.clock';
import { ImmediateUnitOfWork } from './immediate.unit-of-work';
import { InMemoryAuditTrail } from './in-memory-audit.trail';

/**
 * Keeps every auth event's log entry once its change commits (in the shape the log line has), and
 * its audit rows in `rows`; writes no log line.
 */
export class RecordingAuthEventLog extends AuthEventLog {
  readonly entries: AuthEventEntry[] = [];
  readonly rows: InMemoryAuditTrail;

  constructor(
    unitOfWork: UnitOfWork = new ImmediateUnitOfWork(),
    clock: Clock = new FixedClock(),
    rows = new InMemoryAuditTrail(),
  ) {
    super(new Metrics(), rows, unitOfWork, clock);
    this.rows = rows;
  }

  protected override write(entry: AuthEventEntry): void {
    this.entries.push(entry);
  }
}
