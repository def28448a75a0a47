import { trace } from '@opentelemetry/api';
import pino from 'pino';
import type { AppConfig } from '../config/app-config';
import { tracingStarted } from '../tracing/tracing-state';

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
    // Only when the trace SDK runs: off, no line pays for the lookup.
    ...(tracingStarted() ? { mixin: traceFields } : {}),
  };
}

/**
 * The trace and span a line was logged in, so a line leads to its trace and back. A new object
 * each time: pino merges the line's own fields into it.
 */
function traceFields(): object {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}
