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
    if (config.log.stdout) targets.push({ target: 'pino/file', options: { destination: 1 } });
    // The loggers filter by LOG_LEVEL before a line leaves, so one target needs no level, and
    // without one pino's worker hands it lines as they come. Two targets go through a multistream
    // in the worker, which parses every line as JSON to learn its level and gives a target with
    // no level `info`: they carry the loggers' level.
    const level = config.log.level === 'silent' ? 'fatal' : config.log.level;
    this.worker = pino.transport({
      targets: targets.length === 1 ? targets : targets.map((target) => ({ ...target, level })),
    });
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
