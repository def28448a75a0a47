import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface EventStream {
  readonly status: number;
  readonly headers: Headers;
  /** The JSON error body when the stream was refused. */
  readonly errorBody: unknown;
  readonly events: EventSourceMessage[];
  /**
   * Resolves when the stream is over: true when the server ended the response cleanly, false
   * when it was cut or closed here.
   */
  readonly ended: Promise<boolean>;
  /** Resolves with the first event (seen already or to come) that matches, or fails in time. */
  waitFor(
    match: (event: EventSourceMessage) => boolean,
    timeoutMs?: number,
  ): Promise<EventSourceMessage>;
  close(): Promise<void>;
}

/** Opens `GET <url>` as a browser's EventSource would, and parses the events as they arrive. */
export async function openEventStream(
  url: string,
  headers: Record<string, string> = {},
): Promise<EventStream> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: { Accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  const events: EventSourceMessage[] = [];
  const waiters = new Set<() => void>();
  const parser = createParser({
    onEvent: (event) => {
      events.push(event);
      for (const wake of waiters) wake();
    },
  });
  const errorBody = response.ok ? undefined : await response.json();
  const reading = response.ok ? read() : Promise.resolve(false);

  async function read(): Promise<boolean> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        parser.feed(decoder.decode(chunk, { stream: true }));
      }
      return true;
    } catch {
      // Aborted by close(), or the connection was cut.
      return false;
    }
  }

  return {
    status: response.status,
    headers: response.headers,
    errorBody,
    events,
    ended: reading,
    waitFor: (match, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: async () => {
      abort.abort();
      await reading;
    },
  };
}
