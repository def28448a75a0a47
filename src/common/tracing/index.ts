// The SDK itself (start-tracing.ts) is not exported: only src/tracing.ts loads it, when asked.
export { inSpan } from './in-span';
export { traceRequests } from './request-span';
export { TracingModule } from './tracing.module';
export { flushTracing, shutdownTracing, tracingStarted } from './tracing-state';
export { TracingConfigError, type TracingSettings, tracingSettingsFrom } from './tracing-settings';
