import { SpanStatusCode, trace } from '@opentelemetry/api';

const tracer = trace.getTracer('tempmessenger');

/**
 * Runs `work` as the active span `name`, so the queries and commands it makes are its children.
 * With tracing off the API hands out a span that records nothing.
 */
export function inSpan<T>(name: string, work: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}
