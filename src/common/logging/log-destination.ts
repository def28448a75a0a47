import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import pino, { type DestinationStream } from 'pino';
import { AppConfig } from '../config/app-config';
import { loggerOptions } from './logger-options';

/** pino-roll names the live file `app.<n>.log` and keeps this link to it. */
export const CURRENT_LOG_LINK = 'current.log';
export const ROTATED_LOG_FILE = /^app\.\d+\.log$/;

/**
 * Where log lines go: stdout and `LOG_DIR/app.<n>.log`, rotated by size and daily by pino-roll,
 * keeping LOG_MAX_FILES rotated files. Both run in a pino transport, a worker thread: the request
 * path only hands over the serialized line, and file I/O never touches the event loop.
 */
@Injectable()
export class LogDestination implements OnApplicationShutdown {
  /** The service's root logger, behind Nest's logger. */
  readonly logger: pino.Logger;
  /**
   * The access log's logger, on the same stream. Access lines are built field by field and hold
   * no secret, so they skip the redaction pass, which more than doubles the cost of a line.
   */
  readonly accessLogger: pino.Logger;
  readonly stream: DestinationStream;
  private readonly worker: DestinationStream & { end(): void };
  private ended = false;

  constructor(config: AppConfig) {
    mkdirSync(config.log.dir, { recursive: true });
    // No level on the targets: the loggers filter by LOG_LEVEL before a line leaves. With one
    // target and no level, pino's worker hands lines straight to it; a level (or a second
    // target) puts a multistream in between, which parses every line as JSON to learn its level.
    const targets: pino.TransportTargetOptions[] = [
      {
        target: 'pino-roll',
        options: {
          file: join(config.log.dir, 'app'),
          extension: '.log',
          size: config.log.maxSize.toLowerCase(),
          frequency: 'daily',
          limit: { count: config.log.maxFiles, removeOtherLogFiles: true },
          symlink: true,
          mkdir: true,
        },
      },
    ];
    if (config.log.stdout) {
      targets.push({ target: 'pino/file', options: { destination: 1 } });
    }
    this.worker = pino.transport({ targets });
    // Nest's logger is process-wide: lines logged after this app closed (by another app in the
    // same process, or by late shutdown hooks) are dropped rather than sent to a stopped worker.
    this.stream = { write: (line: string) => void (this.ended || this.worker.write(line)) };
    const options = loggerOptions(config);
    const { redact: _redact, ...unredacted } = options;
    this.logger = pino(options, this.stream);
    this.accessLogger = pino(unredacted, this.stream);
  }

  /** Flushes what is queued and stops the worker. */
  onApplicationShutdown(): void {
    this.ended = true;
    this.worker.end();
  }
}
