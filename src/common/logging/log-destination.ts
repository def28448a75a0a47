import { mkdirSync } from 'node:fs';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import pino, { type DestinationStream } from 'pino';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import { AppConfig } from '../config/app-config';

export const LOG_FILE_NAME = 'app.log';

/** `app.log` is the live file; rotated ones are named by day and index: `app-20260101-01.log`. */
function logFileName(time: number | Date | null, index?: number): string {
  if (!time) return LOG_FILE_NAME;
  const stamp = new Date(time).toISOString().slice(0, 10).replace(/-/g, '');
  return `app-${stamp}-${String(index ?? 1).padStart(2, '0')}.log`;
}

/**
 * Where log lines go: stdout and a file under LOG_DIR rotated by size and daily, keeping
 * LOG_MAX_FILES rotated files. Both writers are asynchronous, so logging never blocks a request.
 */
@Injectable()
export class LogDestination implements OnApplicationShutdown {
  readonly stream: DestinationStream;
  private readonly file: RotatingFileStream;

  constructor(config: AppConfig) {
    mkdirSync(config.log.dir, { recursive: true });
    this.file = createStream(logFileName, {
      path: config.log.dir,
      size: config.log.maxSize as `${number}M`,
      interval: '1d',
      intervalBoundary: true,
      maxFiles: config.log.maxFiles,
    });
    this.file.on('error', (error) => process.stderr.write(`log file error: ${error.message}\n`));
    // Shutdown hooks of other modules may still log after this one closed the file: drop those.
    const file = {
      write: (line: string) => void (this.file.writableEnded || this.file.write(line)),
    };
    const streams: pino.StreamEntry[] = [{ stream: file }];
    if (config.log.stdout) streams.push({ stream: pino.destination({ dest: 1, sync: false }) });
    this.stream = pino.multistream(streams);
  }

  onApplicationShutdown(): Promise<void> {
    return new Promise((resolve) => this.file.end(resolve));
  }
}
