import { type AuthEventEntry, AuthEventLog } from '../../../src/common/audit';

/** Keeps every auth event it is given, in the shape the log line has, and writes nothing. */
export class RecordingAuthEventLog extends AuthEventLog {
  readonly entries: AuthEventEntry[] = [];

  protected override write(entry: AuthEventEntry): void {
    this.entries.push(entry);
  }
}
