/**
 * OpenTelemetry traces, started before anything else: main.ts and cli.ts import this module
 * first, because the instrumentations patch http, pg, ioredis and @nestjs/core as they are
 * required, and Nest requires them as soon as it loads. An import rather than `node --require`,
 * so `npm start`, the Docker image and a plain `node dist/src/main.js` all behave alike.
 * Off unless the OTEL_* variables (in the environment or `.env`) turn it on; off, the SDK and the
 * instrumentations are never loaded, and tracing costs nothing.
 */
import { readEnvFile } from './common/config/env-file';
import { TracingConfigError, tracingSettingsFrom } from './common/tracing/tracing-settings';

function startTracingWhenAsked(): void {
  readEnvFile();
  let settings: ReturnType<typeof tracingSettingsFrom>;
  try {
    settings = tracingSettingsFrom(process.env);
  } catch (error) {
    if (!(error instanceof TracingConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  if (!settings) return;
  // Required here, not imported above: with tracing off, none of the SDK is loaded.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTracing } = require('./common/tracing/start-tracing') as StartTracingModule;
  startTracing(settings);
}

type StartTracingModule = typeof import('./common/tracing/start-tracing');

startTracingWhenAsked();
