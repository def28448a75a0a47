import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { bearer, registerAccount } from '../support/accounts';
import { type EventStream, openEventStream } from '../support/event-stream';
import { sleep } from '../support/polling';
import { useTestApp } from '../support/test-app';

/** Streams are cheaper than JSON requests but each waits for its first event: fewer runs. */
const NUM_RUNS = Math.min(Number(process.env.FUZZ_RUNS ?? 2000), 300);
const REPLAY = process.env.FUZZ_SEED
  ? { seed: Number(process.env.FUZZ_SEED), path: process.env.FUZZ_PATH }
  : {};

/** Where a client may put the id it resumes from. */
type Carrier = 'header' | 'query';

interface Resume {
  readonly carrier: Carrier;
  readonly lastEventId: string;
}

/**
 * `Last-Event-ID` values a client, a proxy or an attacker could send: ids the log holds, the
 * same ids bent (another sequence, another time, cut short, padded), ids of the right shape that
 * were never issued, and arbitrary text. A header carries Latin-1 without control characters
 * (what fetch lets through); the query carries any string.
 */
function resume(heldIds: readonly string[]): fc.Arbitrary<Resume> {
  const held = fc.constantFrom(...heldIds);
  const bent = fc.tuple(held, fc.integer({ min: 1, max: 5 })).map(([id, bend]) => {
    const [time, sequence] = id.split('-');
    return [
      `${time}-${Number(sequence) + 1000}`,
      `${Number(time) + 1}-${sequence}`,
      id.slice(0, -1),
      `${time}.${sequence}`,
      `${id}-0`,
    ][bend - 1];
  });
  const wellFormed = fc
    .tuple(fc.bigInt({ min: 0n, max: 2n ** 64n }), fc.bigInt({ min: 0n, max: 2n ** 64n }))
    .map(([time, sequence]) => `${time}-${sequence}`);
  const odd = fc.constantFrom(
    '0',
    '0-0',
    '-',
    '+',
    '$',
    '*',
    '>',
    '(0',
    '-1-1',
    '99999999999999999999999-0',
    'null',
    'undefined',
    '[object Object]',
    'x'.repeat(8000),
  );
  const headerText = fc
    .array(fc.integer({ min: 0x20, max: 0xff }), { maxLength: 300 })
    .map((codes) => String.fromCharCode(...codes.filter((code) => code !== 0x7f)));
  const anyText = fc.string({ unit: 'grapheme', maxLength: 300 });
  return fc.oneof(
    fc.record({ carrier: fc.constantFrom<Carrier>('header', 'query'), lastEventId: held }),
    fc.record({
      carrier: fc.constantFrom<Carrier>('header', 'query'),
      lastEventId: fc.oneof(bent, wellFormed, odd, headerText),
    }),
    fc.record({ carrier: fc.constant<Carrier>('query'), lastEventId: anyText }),
  );
}

describe('fuzzing the live stream: Last-Event-ID', () => {
  const testApp = useTestApp({
    LOG_LEVEL: 'error',
    REDIS_KEY_PREFIX: `tm-test-fuzz-stream-${randomUUID()}:`,
    SSE_MAX_CLIENTS_PER_IP: '1000',
  });
  let base: string;
  /** The ids of the events the log holds, oldest first, and the message each created. */
  const held: { id: string; messageId: string }[] = [];

  beforeAll(async () => {
    base = await testApp.listen();
    const author = await registerAccount(testApp);
    const watcher = await openEventStream(`${base}/messages/stream`);
    try {
      for (let i = 0; i < 3; i++) {
        const posted = await testApp.http
          .post('/messages')
          .set(bearer(author.accessToken))
          .send({ message: `fuzzed stream message ${i}`, ttlSeconds: 3600 })
          .expect(201);
        const event = await watcher.waitFor(
          (candidate) =>
            candidate.event === 'message.created' &&
            (JSON.parse(candidate.data) as { id: string }).id === posted.body.id,
        );
        held.push({ id: event.id!, messageId: posted.body.id as string });
      }
    } finally {
      await watcher.close();
    }
  });

  it('answers every id with a stream: the events after a held id, one resync for any other', async () => {
    await fc.assert(
      fc.asyncProperty(resume(held.map(({ id }) => id)), async ({ carrier, lastEventId }) => {
        let stream: EventStream | undefined;
        try {
          stream =
            carrier === 'header'
              ? await openEventStream(`${base}/messages/stream`, { 'Last-Event-ID': lastEventId })
              : await openEventStream(
                  `${base}/messages/stream?lastEventId=${encodeURIComponent(lastEventId)}`,
                );
          expect(stream.status).toBe(200);
          expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
          // A header value reaches the server trimmed, and an empty id is no id at all.
          const sent = carrier === 'header' ? lastEventId.trim() : lastEventId;
          const position = held.findIndex(({ id }) => id === sent);
          if (sent === '' || position === held.length - 1) {
            // No id, or the newest event: nothing to replay, and nothing says to start over.
            await sleep(50);
            expect(stream.events).toEqual([]);
          } else if (position >= 0) {
            const next = await stream.waitFor(() => true, 2000);
            expect(next).toMatchObject({ event: 'message.created', id: held[position + 1].id });
            expect((JSON.parse(next.data) as { id: string }).id).toBe(held[position + 1].messageId);
          } else {
            const first = await stream.waitFor(() => true, 2000);
            expect(first).toMatchObject({ event: 'resync', data: '{}' });
            expect(stream.events.filter(({ event }) => event !== 'resync')).toEqual([]);
          }
        } finally {
          await stream?.close();
        }
      }),
      { numRuns: NUM_RUNS, ...REPLAY },
    );
  });
});
