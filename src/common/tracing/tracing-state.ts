/** What the rest of the service needs of the SDK: whether it runs, and a way to empty it. */
interface RunningTracing {
  /** Exports the spans still queued; the SDK keeps running. */
  flush(): Promise<void>;
  /** Exports the spans still queued and stops the SDK. */
  shutdown(): Promise<void>;
}

let running: RunningTracing | undefined;

/** Called once by `startTracing`. */
export function markTracingStarted(tracing: RunningTracing): void {
  running = tracing;
}

/**
 * True once the trace SDK runs in this process. Read to skip trace work entirely when it does
 * not (the log lines' trace fields), so that tracing off costs nothing.
 */
export function tracingStarted(): boolean {
  return running !== undefined;
}

/** Exports the spans still queued; nothing when tracing is off. */
export async function flushTracing(): Promise<void> {
  await running?.flush();
}

/** Exports the spans still queued and stops the SDK; nothing when tracing is off. */
export async function shutdownTracing(): Promise<void> {
  const stopping = running;
  running = undefined;
  await stopping?.shutdown();
}
