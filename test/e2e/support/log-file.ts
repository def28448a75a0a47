import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CURRENT_LOG_LINK } from '../../../src/common/logging';
import { until } from './polling';
import type { AppUnderTest } from './test-app';

export type LogLine = Record<string, unknown>;

/**
 * The complete lines of the app's current log file, parsed: none before the file exists, and
 * not a last line still being written.
 */
export function logLines(testApp: Pick<AppUnderTest, 'config'>): LogLine[] {
  let content: string;
  try {
    content = readFileSync(join(testApp.config.log.dir, CURRENT_LOG_LINK), 'utf8');
  } catch {
    return [];
  }
  return content
    .split('\n')
    .slice(0, -1)
    .map((line) => JSON.parse(line) as LogLine);
}

/** The first log line that matches, once the logging worker (which writes asynchronously) has. */
export async function waitForLogLine(
  testApp: Pick<AppUnderTest, 'config'>,
  match: (line: LogLine) => boolean,
  timeoutMs = 5000,
): Promise<LogLine> {
  await until(() => logLines(testApp).some(match), timeoutMs);
  return logLines(testApp).find(match)!;
}
