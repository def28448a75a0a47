import pino from 'pino';
import type { AppConfig } from '../config/app-config';

/** The shape of every log line: ISO time, level by name, the process id, secrets removed. */
export function loggerOptions(config: AppConfig): pino.LoggerOptions {
  return {
    level: config.log.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'authorization'],
      remove: true,
    },
  };
}
