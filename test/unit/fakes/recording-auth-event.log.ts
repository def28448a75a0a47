import { type AuthEventEntry, AuthEventLog } from '../../../src/common/audit';
import { Metrics } from '../../../src/common/metrics';

/** Keeps every auth event it is given, in the shape the log line has, and writes nothing. */
export class RecordingAuthEventLog extends AuthEventLog {
  readonly entries: AuthEventEntry[] = [];

  constructor() {
    super(new Metrics());
  }

  protected override write(entry: AuthEventEntry): void {
    this.entries.push(entry);
  }
}
